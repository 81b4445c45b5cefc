import type { Diagnostic, Environment, EpochMetrics, Verdict, VerdictStatus } from "@stepwise/core/contracts";
import { statusVerdict } from "@stepwise/core/verify";

/**
 * Verdicts for runs that ended before scoring. Each says, in ML terms, what happened and what to change.
 * A failure is a verdict, never an exception escaping the worker.
 */
export function endedVerdict(
  status: Exclude<VerdictStatus, "passed" | "failed">,
  summary: string,
  options: { history?: EpochMetrics[]; environment?: Environment; diagnostics?: Diagnostic[] } = {},
): Verdict {
  return statusVerdict(status, summary, {
    checks: [{ id: status, passed: false, message: summary, visibility: "always" }],
    ...options,
  });
}

export const invalidVerdict = (message: string) =>
  endedVerdict("invalid", `The submission was rejected before training: ${message} This costs no attempt.`);

export function timedOutVerdict(input: { limitSeconds: number; lastEpoch: number; epochs: number; history: EpochMetrics[]; environment?: Environment }): Verdict {
  const perEpoch = input.history.length ? input.history.reduce((s, h) => s + h.seconds, 0) / input.history.length : null;
  const pace = perEpoch === null ? "no epoch finished" : `this model needs about ${perEpoch.toFixed(1)} s per epoch on the grader`;
  return endedVerdict(
    "timed_out",
    `Training exceeded ${input.limitSeconds} s at epoch ${input.lastEpoch + 1} of ${input.epochs}; ${pace} — reduce units, layers or epochs.`,
    { history: input.history, ...(input.environment ? { environment: input.environment } : {}) },
  );
}

export function outOfMemoryVerdict(input: { capMb: number; detail: string; largestLayer?: string }): Verdict {
  const culprit = input.largestLayer ? ` Its largest layer is ${input.largestLayer}.` : "";
  return endedVerdict(
    "out_of_memory",
    `The model needed more than ${input.capMb} MiB of memory (${input.detail}).${culprit} Use fewer units or a smaller batch size.`,
  );
}

/** `diagnostics`: the checklist on the curves up to the divergence (loss-nan first among them). */
export function divergedVerdict(input: { epoch: number; history: EpochMetrics[]; learningRate: number; environment?: Environment; diagnostics?: Diagnostic[] }): Verdict {
  return endedVerdict(
    "diverged",
    `The loss became infinite or NaN at epoch ${input.epoch}: training diverged. With a learning rate of ${input.learningRate}, try one 10× smaller.`,
    { history: input.history, ...(input.environment ? { environment: input.environment } : {}), ...(input.diagnostics ? { diagnostics: input.diagnostics } : {}) },
  );
}
