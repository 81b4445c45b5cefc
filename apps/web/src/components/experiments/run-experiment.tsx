"use client";

import type { ExperimentName } from "@stepwise/exercises/experiments";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterOutputs } from "~/trpc/types";
import { useTRPC } from "~/trpc/react";
import { ExperimentResultView, type RunView } from "./experiment-result";

type Budget = RouterOutputs["experiment"]["list"]["budget"];

/** Polls one run until the grader has finished it (the web tier keeps no state: the database says). */
export function WatchRun({ jobId }: { jobId: string }) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.experiment.byId.queryOptions({ jobId }),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "queued" || q.state.data.status === "running") ? 1_000 : false),
  });
  if (query.isError)
    return (
      <p className="error-box" role="alert">
        {query.error.message}
      </p>
    );
  if (!query.data)
    return (
      <p className="job-status" role="status">
        Queued for the grader…
      </p>
    );
  const epochs = query.data.epochs > 0 ? `(${query.data.epochs} epoch${query.data.epochs === 1 ? "" : "s"} so far)` : undefined;
  return <ExperimentResultView run={query.data} {...(epochs ? { progress: epochs } : {})} />;
}

/** A stored run: its result, or — while the grader has it — its live status. */
export function LastRun({ run }: { run: RunView }) {
  return run.status === "queued" || run.status === "running" ? <WatchRun jobId={run.jobId} /> : <ExperimentResultView run={run} />;
}

/**
 * The Run button of one experiment on one submission; once queued, the run's status and result
 * replace it. Costs compute budget, never an attempt.
 */
export function RunExperiment({
  submissionId,
  experiment,
  title,
  last,
  onQueued,
}: {
  submissionId: string;
  experiment: ExperimentName;
  title: string;
  /** The latest stored run, shown until this button starts a new one. */
  last?: RunView | null;
  onQueued?: (budget: Budget) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [queued, setQueued] = useState<{ jobId: string; estimateSeconds: number; leftSeconds: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useMutation(
    trpc.experiment.run.mutationOptions({
      onSuccess: (result) => {
        setQueued({ jobId: result.jobId, estimateSeconds: result.estimateSeconds, leftSeconds: result.budget.leftSeconds });
        onQueued?.(result.budget);
        void queryClient.invalidateQueries({ queryKey: trpc.experiment.pathKey() });
      },
      onError: (e) => setError(e.message),
    }),
  );
  const start = () => {
    setError(null);
    run.mutate({ submissionId, experiment });
  };
  // The accessible name starts with the visible text, so voice control finds the button by what it shows.
  const label = run.isPending ? "Starting…" : queued || last ? "Run again" : "Run";
  return (
    <div className="stack-tight">
      {queued ? (
        <>
          <WatchRun jobId={queued.jobId} />
          <p className="muted small" style={{ margin: 0 }}>
            Estimated {queued.estimateSeconds.toFixed(1)} s of grader time; {queued.leftSeconds.toFixed(0)} s of your experiment budget left
            after it.
          </p>
        </>
      ) : (
        last && <LastRun run={last} />
      )}
      <div className="actions">
        <button type="button" onClick={start} disabled={run.isPending} aria-label={`${label} ${title}`}>
          {label}
        </button>
      </div>
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
