"use client";

import type { RouterOutputs } from "~/trpc/types";
import { formatDate, formatDuration } from "~/lib/format";
import { EvidenceChart } from "./evidence-chart";

export type RunView = RouterOutputs["experiment"]["list"]["runs"][number];

const PENDING: Partial<Record<RunView["status"], string>> = { queued: "Queued for the grader…", running: "Running on the grader…" };

/**
 * One run: the finding in a sentence (the student reads it first), the hint, then the chart of the
 * evidence. Everything the grader wrote is rendered as text.
 */
export function ExperimentResultView({ run, progress }: { run: RunView; progress?: string }) {
  const { result } = run;
  return (
    <div className="stack" data-testid={`experiment-run-${run.experiment}`}>
      {result ? (
        <>
          <p style={{ margin: 0 }} data-testid="experiment-message">
            {run.findingsOnly ? (
              <span className="badge">{result.outcome.replaceAll("-", " ")}</span>
            ) : (
              <span className={`badge ${result.healthy ? "passed" : "failed"}`}>{result.healthy ? "healthy" : "fault found"}</span>
            )}{" "}
            {result.message}
          </p>
          {result.hint && (
            <p className="muted" style={{ margin: 0 }}>
              Next: {result.hint}
            </p>
          )}
          <EvidenceChart evidence={result.evidence} />
          <p className="muted small" style={{ margin: 0 }}>
            Ran {formatDate(run.createdAt)} on your submission, {formatDuration(result.durationMs)} of training; charged{" "}
            {run.chargedSeconds.toFixed(1)} s of your budget.
          </p>
        </>
      ) : run.failure ? (
        <p className="error-box" style={{ margin: 0 }} data-testid="experiment-failure">
          {run.failure}
        </p>
      ) : (
        <p className="job-status" role="status" aria-live="polite" style={{ margin: 0 }}>
          {PENDING[run.status] ?? run.status}
          {progress ? ` ${progress}` : ""}
        </p>
      )}
    </div>
  );
}
