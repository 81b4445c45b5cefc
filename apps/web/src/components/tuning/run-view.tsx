"use client";

import type { TuningResult } from "@stepwise/exercises/tuning";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { formatDate, formatDuration } from "~/lib/format";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { describeTrial, metricText, selectionName } from "./format";
import { TrialsChart } from "./trials-chart";
import { TrialsTable } from "./trials-table";

export type TuningRunView = RouterOutputs["tuning"]["list"]["runs"][number];
type Progress = RouterOutputs["tuning"]["byId"]["progress"];

const pending = (status: TuningRunView["status"]) => status === "queued" || status === "running";

function testText(final: Extract<TuningResult["final"], { status: "evaluated" }>): string {
  const value =
    final.metric === "accuracy"
      ? final.test.toFixed(3)
      : metricText(final.test, { name: "loss", higherIsBetter: false, split: "validation" });
  const ci = final.interval
    ? ` (${Math.round(final.interval.level * (final.interval.level <= 1 ? 100 : 1))}% CI ${final.interval.lower.toFixed(3)}–${final.interval.upper.toFixed(3)})`
    : "";
  return `test ${final.metric === "accuracy" ? "accuracy" : "MAE"} ${value}${ci}`;
}

/**
 * The search's conclusion in one line: which trial validation chose, that it was retrained on
 * train+validation, and its single test score with the evaluations it used — or why there is none.
 */
export function FinalLine({ result }: { result: TuningResult }) {
  const { final } = result;
  const chosen = result.trials.find((t) => t.index === result.selected);
  const evaluations = final.evaluations;
  const selection = chosen
    ? `Selected on validation: trial ${chosen.index} (${describeTrial(chosen.values)}), ${selectionName(result.metric)} ${metricText(chosen.validation, result.metric)} at epoch ${chosen.bestEpoch ?? "—"}`
    : "No configuration selected";
  let rest: string;
  if (final.status === "evaluated") {
    const count = evaluations ? ` (${evaluations.used} of your ${evaluations.limit} test evaluations)` : "";
    rest = `; retrained on train+validation for ${final.epochs} epoch${final.epochs === 1 ? "" : "s"}; ${testText(final)}${count}.`;
  } else {
    // The grader's reason says why in full ("Final test evaluation not run: you have used 3 of 3 …").
    rest = `. ${final.reason}`;
  }
  return (
    <p className={final.status === "evaluated" ? "ok-box" : "note"} style={{ margin: 0 }} data-testid="tuning-final">
      {selection}
      {rest}
    </p>
  );
}

/** A finished search: the final line, every trial in a table, then the chart. */
export function TuningResultView({ run }: { run: TuningRunView }) {
  const { result } = run;
  if (!result) {
    return (
      <p className="error-box" style={{ margin: 0 }} data-testid="tuning-failure">
        {run.failure ?? "This search ended without a result."}
      </p>
    );
  }
  return (
    <div className="stack">
      <FinalLine result={result} />
      <TrialsTable result={result} />
      <TrialsChart result={result} />
      <p className="muted small" style={{ margin: 0 }}>
        Ran {formatDate(run.createdAt)}: {result.trials.length} trial{result.trials.length === 1 ? "" : "s"} on{" "}
        {result.trainExamples.toLocaleString("en-US")} training examples (the same validation examples for every trial, split seed{" "}
        {result.seeds.split}), {formatDuration(result.durationMs)} on the grader ({result.backend}).
      </p>
      <p className="muted small" style={{ margin: 0 }} data-testid="tuning-cost">
        {run.estimateSeconds !== null ? `Estimated ${run.estimateSeconds.toFixed(1)} s before it started; charged` : "Charged"}{" "}
        {run.chargedSeconds.toFixed(1)} s of your budget
        {run.estimateSeconds !== null && run.estimateSeconds > 0
          ? ` (${Math.round((run.chargedSeconds / run.estimateSeconds) * 100)}% of the estimate)`
          : ""}
        .
      </p>
    </div>
  );
}

function ProgressLine({ status, progress }: { status: TuningRunView["status"]; progress: Progress }) {
  if (status === "queued" || !progress) return <>{status === "queued" ? "Queued for the grader…" : "Starting on the grader…"}</>;
  const epochs = progress.epochs > 0 ? ` (epoch ${progress.epochs})` : "";
  if (progress.final) return <>Retraining the selected configuration on train+validation{epochs}…</>;
  const label = progress.label.charAt(0).toUpperCase() + progress.label.slice(1);
  return (
    <>
      {label}
      {epochs}
      {progress.trial !== null && progress.total !== null && (
        <progress
          max={progress.total}
          value={progress.trial - 1}
          aria-label={`Trial ${progress.trial} of ${progress.total}`}
          style={{ display: "block", width: "100%", maxWidth: "24rem", marginTop: "0.35rem" }}
        />
      )}
    </>
  );
}

/** Polls a search until the grader has finished it (the database says where it is), then shows its result. */
export function WatchTuning({ jobId }: { jobId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = useQuery({
    ...trpc.tuning.byId.queryOptions({ jobId }),
    refetchInterval: (q) => (!q.state.data || pending(q.state.data.status) ? 1_000 : false),
  });
  const finished = query.data && !pending(query.data.status);
  useEffect(() => {
    // The list (and the step's own view) hold the budget and the test evaluations used: both change when a search ends.
    if (!finished) return;
    void queryClient.invalidateQueries({ queryKey: trpc.tuning.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.assignment.byId.pathKey() });
  }, [finished, queryClient, trpc]);
  if (query.isError)
    return (
      <p className="error-box" role="alert">
        {query.error.message}
      </p>
    );
  if (!query.data || pending(query.data.status)) {
    return (
      <p className="job-status" role="status" aria-live="polite" style={{ margin: 0 }} data-testid="tuning-progress">
        <ProgressLine status={query.data?.status ?? "queued"} progress={query.data?.progress ?? null} />
      </p>
    );
  }
  return <TuningResultView run={query.data} />;
}

/** A stored search: its result, or — while the grader has it — its live progress. */
export function TuningRun({ run }: { run: TuningRunView }) {
  return pending(run.status) ? <WatchTuning jobId={run.jobId} /> : <TuningResultView run={run} />;
}
