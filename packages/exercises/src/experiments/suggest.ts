import type { Diagnostic, Verdict } from "@stepwise/core/contracts";
import { EXPERIMENT_INFO, type ExperimentName } from "./names";

export interface Suggestion {
  experiment: ExperimentName;
  title: string;
  /** Why it fits this verdict, one short clause per finding that led to it ("the loss did not move"). */
  reasons: string[];
  /** The diagnostic codes (or `status:<status>`) behind it. */
  because: string[];
}

/**
 * Which experiments answer which diagnostic (codes from core's `diagnose`), most telling first.
 * Wiring faults go to label-as-input (it separates a broken pipeline from missing capacity),
 * loss-curve faults to the per-batch loss and the learning-rate sweep, output faults to the
 * histogram, data faults to the data checks.
 */
const BY_DIAGNOSTIC: Record<string, { experiments: ExperimentName[]; reason: string }> = {
  "softmax-single-unit": { experiments: ["output-histogram", "label-as-input"], reason: "the output layer cannot express the answer" },
  "softmax-binary-crossentropy": {
    experiments: ["label-as-input", "output-histogram"],
    reason: "the last activation and the loss do not fit together",
  },
  "sigmoid-multiclass": {
    experiments: ["label-as-input", "output-histogram"],
    reason: "the last activation does not fit a choice between classes",
  },
  "squashing-regression-output": {
    experiments: ["output-histogram", "label-scale"],
    reason: "the output layer squeezes predictions into a small range",
  },
  "output-units-mismatch": { experiments: ["label-as-input"], reason: "the output layer does not match the task" },
  "loss-task-mismatch": { experiments: ["label-as-input", "output-histogram"], reason: "the loss does not fit the task" },
  "loss-nan": { experiments: ["lr-range-test", "loss-per-batch", "label-scale"], reason: "the loss became NaN" },
  "loss-exploding": { experiments: ["lr-range-test", "loss-per-batch"], reason: "the loss grew instead of shrinking" },
  "learning-rate-too-high": {
    experiments: ["lr-range-test", "loss-per-batch"],
    reason: "the updates overshot into confident wrong answers",
  },
  "exploding-gradients": {
    experiments: ["loss-per-batch", "output-histogram", "lr-range-test"],
    reason: "the gradients were huge before training started",
  },
  "vanishing-gradients": {
    experiments: ["loss-per-batch", "tiny-subset", "output-histogram"],
    reason: "the gradient died on its way to the first layers",
  },
  "saturated-activations": {
    experiments: ["output-histogram", "loss-per-batch"],
    reason: "hidden sigmoid/tanh units sit at the ends of their range",
  },
  "learning-rate-too-low": { experiments: ["lr-range-test", "loss-per-batch"], reason: "the updates were too small to move the weights" },
  "loss-flat": { experiments: ["loss-per-batch", "lr-range-test", "tiny-subset", "output-histogram"], reason: "the loss did not move" },
  "loss-not-decreasing": { experiments: ["loss-per-batch", "lr-range-test", "data-shuffled"], reason: "the loss did not decrease" },
  "loss-at-chance": { experiments: ["one-feature", "label-as-input", "tiny-subset"], reason: "the model learned nothing from its inputs" },
  "constant-predictions": {
    experiments: ["output-histogram", "lr-range-test", "one-feature"],
    reason: "the model gives the same answer whatever the input",
  },
  "labels-not-shuffled": { experiments: ["data-shuffled"], reason: "the training examples are ordered by label" },
  "inputs-not-normalized": { experiments: ["output-histogram", "loss-per-batch"], reason: "the inputs are large" },
  "labels-need-scaling": { experiments: ["label-scale", "lr-range-test"], reason: "the targets are large" },
  "too-many-layers": { experiments: ["tiny-subset", "loss-per-batch"], reason: "the model is deep for this data" },
};

/** When a run failed without a diagnostic to go on, the checklist's first questions. */
const BY_STATUS: Partial<Record<Verdict["status"], { experiments: ExperimentName[]; reason: string }>> = {
  failed: { experiments: ["tiny-subset", "one-feature", "loss-per-batch"], reason: "the model fell short of the target" },
  diverged: { experiments: ["lr-range-test", "loss-per-batch", "label-scale"], reason: "training diverged" },
};

/**
 * Step 7: a train/validation accuracy gap this large (where training ends, `gapAfter`) after regularizing asks whether
 * the model is short of data, which the learning curve answers.
 */
export const LARGE_GAP = 0.05;

/** Why a step-7 verdict calls for the learning curve, if it does: a large gap, or one regularization did not narrow. */
function gapReason(verdict: Pick<Verdict, "metrics" | "checks">): string | undefined {
  const gap = verdict.metrics.gapAfter?.value;
  const accuracyGap = verdict.metrics.testAccuracy !== undefined;
  if (accuracyGap && gap !== undefined && gap >= LARGE_GAP)
    return `the train/validation gap is still large (${(gap * 100).toFixed(1)} points)`;
  if (verdict.checks.some((c) => c.id === "smaller-gap" && !c.passed)) return "regularization did not narrow the train/validation gap";
  return undefined;
}

/** Experiments judged by accuracy say nothing about a regression, and label-scale is about regression targets. */
const CLASSIFICATION_ONLY = new Set<ExperimentName>(["tiny-subset", "shuffled-labels", "label-as-input"]);
const REGRESSION_ONLY = new Set<ExperimentName>(["label-scale"]);

/** Whether an experiment can say anything about a task of this kind. */
export function experimentAppliesTo(name: ExperimentName, task: "binary" | "multiclass" | "regression"): boolean {
  return task === "regression" ? !CLASSIFICATION_ONLY.has(name) : !REGRESSION_ONLY.has(name);
}

/**
 * The experiments that fit a verdict, for the web's "Why did this fail?": from its diagnostics in
 * checklist order, the learning curve for a step-7 verdict (give `step`) whose gap stayed large,
 * then from its status when nothing else applies. Pure; an invalid, timed-out or
 * errored run gets none (nothing trained that an experiment could examine). Pass the task to leave
 * out experiments that do not apply to it.
 */
export function suggestExperiments(
  verdict: Pick<Verdict, "status"> & { diagnostics: readonly Pick<Diagnostic, "code">[] } & Partial<Pick<Verdict, "metrics" | "checks">>,
  context: { task?: "binary" | "multiclass" | "regression"; step?: number } = {},
): Suggestion[] {
  const found = new Map<ExperimentName, Suggestion>();
  const add = (experiments: ExperimentName[], reason: string, because: string) => {
    for (const experiment of experiments) {
      if (context.task !== undefined && !experimentAppliesTo(experiment, context.task)) continue;
      const entry = found.get(experiment) ?? { experiment, title: EXPERIMENT_INFO[experiment].title, reasons: [], because: [] };
      if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
      if (!entry.because.includes(because)) entry.because.push(because);
      found.set(experiment, entry);
    }
  };
  if (["invalid", "error", "timed_out", "out_of_memory"].includes(verdict.status)) return [];
  for (const { code } of verdict.diagnostics) {
    const rule = BY_DIAGNOSTIC[code];
    if (rule) add(rule.experiments, rule.reason, code);
  }
  const gap = context.step === 7 ? gapReason({ metrics: verdict.metrics ?? {}, checks: verdict.checks ?? [] }) : undefined;
  if (gap) add(["learning-curve"], gap, "step7:gap");
  const byStatus = BY_STATUS[verdict.status];
  if (found.size === 0 && byStatus) add(byStatus.experiments, byStatus.reason, `status:${verdict.status}`);
  return [...found.values()];
}
