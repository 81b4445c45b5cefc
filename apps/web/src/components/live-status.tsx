"use client";

import type { EpochMetrics, JobStatus, ProgressEvent, Verdict } from "@stepwise/core/contracts";
import type { StudentVerdict } from "~/server/services/verdict-view";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useState } from "react";
import { VERDICT_HEADING } from "~/lib/format";
import { phaseText, type PhaseEvent } from "~/lib/progress-text";
import { queueText } from "~/lib/queue-text";
import { useTRPC } from "~/trpc/react";
import { LearningCurves } from "./learning-curves";
import { VerdictView } from "./verdict-view";

interface JobView {
  status: JobStatus;
  queuePosition: number | null;
  estimatedWaitSeconds: number | null;
  attempts: number;
}

function statusText(
  job: JobView | null,
  last: ProgressEvent | null,
  phase: PhaseEvent | null,
  verdict: Verdict | StudentVerdict | null,
  now: number,
): string {
  // The line names the outcome the verdict card below shows, so the two never disagree.
  if (verdict) return verdict.status === "withheld" ? VERDICT_HEADING.withheld : `Graded: ${VERDICT_HEADING[verdict.status]}`;
  if (!job) return "Waiting for the grader…";
  switch (job.status) {
    case "queued":
      return queueText(job.queuePosition, job.estimatedWaitSeconds);
    case "running":
      // Graders that write phases say where the whole grading is; older rows only have the curves' events.
      if (phase) return phaseText(phase, now);
      if (last?.type === "epoch") return `Training — epoch ${last.epoch} of ${last.epochs}`;
      if (last?.type === "evaluating") return "Evaluating on the hidden test set";
      if (last?.type === "run") return `Training — ${last.label}`;
      return "Training — starting";
    case "dead":
      return "The grader could not finish this submission";
    case "cancelled":
      return "Cancelled";
    case "done":
      return "Graded";
  }
}

/**
 * Streams one submission's grading (tRPC subscription over SSE). Epochs are keyed by number, so a
 * reconnect that replays events from the start does not duplicate points on the chart.
 */
export function LiveStatus({ submissionId, baseline }: { submissionId: string; baseline?: number | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [job, setJob] = useState<JobView | null>(null);
  const [last, setLast] = useState<ProgressEvent | null>(null);
  const [phase, setPhase] = useState<PhaseEvent | null>(null);
  // The time left counts down between the grader's rows.
  const [now, setNow] = useState(() => Date.now());
  const counting = phase?.etaSeconds !== undefined;
  useEffect(() => {
    if (!counting) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [counting]);
  const [epochs, setEpochs] = useState<Map<number, EpochMetrics>>(new Map());
  const [verdict, setVerdict] = useState<Verdict | StudentVerdict | null>(null);

  const sub = useSubscription(
    trpc.submission.watch.subscriptionOptions(
      { submissionId },
      {
        onData: (update) => {
          setJob(update.job);
          const newest = update.events[update.events.length - 1];
          if (newest) setLast(newest);
          const phases = update.events.filter((e): e is PhaseEvent => e.type === "phase");
          const newestPhase = phases[phases.length - 1];
          if (newestPhase) {
            setPhase(newestPhase);
            setNow(Date.now());
          }
          const epochEvents = update.events.filter((e) => e.type === "epoch");
          if (epochEvents.length > 0) {
            setEpochs((prev) => {
              const next = new Map(prev);
              for (const e of epochEvents) {
                next.set(e.epoch, {
                  epoch: e.epoch,
                  loss: e.loss,
                  accuracy: e.accuracy,
                  valLoss: e.valLoss,
                  valAccuracy: e.valAccuracy,
                  seconds: e.seconds,
                });
              }
              return next;
            });
          }
          if (update.verdict) {
            setVerdict(update.verdict);
            void queryClient.invalidateQueries({ queryKey: trpc.assignment.byId.pathKey() });
          }
        },
      },
    ),
  );

  const history = [...epochs.values()].sort((a, b) => a.epoch - b.epoch);
  const text = statusText(job, last, phase, verdict, now);
  return (
    <div className="stack">
      <p className={`job-status ${verdict ? "done" : ""}`} data-testid="job-status" role="status" aria-live="polite">
        {text}
      </p>
      {sub.status === "error" && !verdict && (
        <p className="error-box" role="alert">
          Lost the live connection: {sub.error?.message ?? "unknown error"}. Reload the page to see the latest status.
        </p>
      )}
      {verdict ? (
        <VerdictView verdict={verdict} baseline={baseline} debugging={{ submissionId }} />
      ) : (
        history.length > 0 && (
          <section className="card" aria-label="Live learning curves">
            <LearningCurves history={history} baseline={baseline} />
          </section>
        )
      )}
    </div>
  );
}
