import type { Diagnostic, Environment, EpochMetrics, Verdict, VerdictStatus } from "@stepwise/core/contracts";
import type { ModelSummary } from "@stepwise/core/contracts";
import { estimateTrainingMemory, formatBytes } from "@stepwise/core/model";
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

/** A reason ends as a sentence does, whoever wrote it: "…got 70." then "This costs no attempt." */
export const asSentence = (message: string): string => {
  const text = message.trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
};

export const invalidVerdict = (message: string) =>
  endedVerdict("invalid", `The submission was rejected before training: ${asSentence(message)} This costs no attempt.`);

export function timedOutVerdict(input: {
  limitSeconds: number;
  lastEpoch: number;
  epochs: number;
  history: EpochMetrics[];
  environment?: Environment;
}): Verdict {
  const perEpoch = input.history.length ? input.history.reduce((s, h) => s + h.seconds, 0) / input.history.length : null;
  const pace = perEpoch === null ? "no epoch finished" : `this model needs about ${perEpoch.toFixed(1)} s per epoch on the grader`;
  return endedVerdict(
    "timed_out",
    `Training exceeded ${input.limitSeconds} s at epoch ${input.lastEpoch + 1} of ${input.epochs}; ${pace} — reduce units, layers or epochs.`,
    { history: input.history, ...(input.environment ? { environment: input.environment } : {}) },
  );
}

/**
 * The training child outgrew the memory cap. The verdict names what used the memory: one batch's
 * activations (batch × every layer's outputs × 4 bytes, and their gradients) and the layer with the
 * most, next to the parameters — a wide layer at a large batch size fills memory long before its
 * weights do.
 */
export function outOfMemoryVerdict(input: { capMb: number; detail: string; summary?: ModelSummary; batchSize?: number }): Verdict {
  const estimate = input.summary && input.batchSize !== undefined ? estimateTrainingMemory(input.summary, input.batchSize) : undefined;
  const largest = estimate?.largest;
  const culprit =
    estimate && largest
      ? ` At batch size ${input.batchSize?.toLocaleString("en-US")} one training step holds about ${formatBytes(estimate.activationBytes)} of activations and their gradients ` +
        `(the parameters take ${formatBytes(estimate.parameterBytes)} with their gradients and optimizer state); the largest is ${largest.layer.className} "${largest.layer.name}": ` +
        `${largest.values.toLocaleString("en-US")} values, ${formatBytes(largest.bytes)}.`
      : "";
  const fix =
    largest && estimate && estimate.activationBytes >= estimate.parameterBytes
      ? "Use a smaller batch size or fewer units in that layer."
      : "Use fewer units or a smaller batch size.";
  return endedVerdict("out_of_memory", `The model needed more than ${input.capMb} MiB of memory (${input.detail}).${culprit} ${fix}`);
}

/** `diagnostics`: the checklist on the curves up to the divergence (loss-nan first among them). */
export function divergedVerdict(input: {
  epoch: number;
  history: EpochMetrics[];
  learningRate: number;
  environment?: Environment;
  diagnostics?: Diagnostic[];
}): Verdict {
  return endedVerdict(
    "diverged",
    `The loss became infinite or NaN at epoch ${input.epoch}: training diverged. With a learning rate of ${input.learningRate}, try one 10× smaller.`,
    {
      history: input.history,
      ...(input.environment ? { environment: input.environment } : {}),
      ...(input.diagnostics ? { diagnostics: input.diagnostics } : {}),
    },
  );
}
