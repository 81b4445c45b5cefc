import type { EpochMetrics } from "../contracts/training";
import type { Check } from "../contracts/verdict";
import { formatNumber, formatRate } from "./format";
import { StatsInputError } from "./stats";

/** "accuracy": higher is better, gap = train − validation accuracy. "loss": lower is better, gap = validation − train loss. */
export type ComparedMetric = "accuracy" | "loss";

export interface BestEpoch {
  /** 1-based epoch with the best validation metric (first one on ties). */
  epoch: number;
  /** Best validation metric. */
  value: number;
  /** Train/validation gap at that epoch, oriented so that larger means more overfitting. */
  gap: number;
}

/** The epoch with the best validation metric and the generalization gap there. */
export function bestEpoch(history: readonly EpochMetrics[], metric: ComparedMetric): BestEpoch {
  let found: BestEpoch | undefined;
  for (const row of history) {
    const val = metric === "accuracy" ? row.valAccuracy : row.valLoss;
    const train = metric === "accuracy" ? row.accuracy : row.loss;
    if (val === undefined || train === undefined || !Number.isFinite(val) || !Number.isFinite(train)) continue;
    const better = found === undefined || (metric === "accuracy" ? val > found.value : val < found.value);
    if (better) found = { epoch: row.epoch, value: val, gap: metric === "accuracy" ? train - val : val - train };
  }
  if (!found) {
    throw new StatsInputError(
      `history must hold at least one epoch with finite training and validation ${metric}, got ${history.length} epochs without`,
    );
  }
  return found;
}

/** The train/validation gap of a model where its training ends. */
export interface EndGap {
  /** 1-based epoch whose weights the model ends with: its last, or the one early stopping restored. */
  epoch: number;
  /** Train/validation gap there, oriented so that larger means more overfitting. */
  gap: number;
}

/**
 * The gap at `epoch` (default the last): the last epoch at or before it with finite training and
 * validation values, so a trailing epoch without validation does not hide the ones before it.
 */
export function endGap(history: readonly EpochMetrics[], metric: ComparedMetric, epoch?: number): EndGap {
  let found: EndGap | undefined;
  for (const row of history) {
    if (epoch !== undefined && row.epoch > epoch) break;
    const val = metric === "accuracy" ? row.valAccuracy : row.valLoss;
    const train = metric === "accuracy" ? row.accuracy : row.loss;
    if (val === undefined || train === undefined || !Number.isFinite(val) || !Number.isFinite(train)) continue;
    found = { epoch: row.epoch, gap: metric === "accuracy" ? train - val : val - train };
  }
  if (!found) {
    throw new StatsInputError(
      `history must hold an epoch with finite training and validation ${metric} up to epoch ${epoch ?? history.length}, got ${history.length} epochs without`,
    );
  }
  return found;
}

export interface RegularizationComparison {
  /** Each model's best validation epoch: what the validation comparison reads. */
  before: BestEpoch;
  after: BestEpoch;
  /** Each model's gap where its training ends: what the gap check compares. */
  beforeGap: EndGap;
  afterGap: EndGap;
  /** after.value − before.value: positive is better for accuracy, negative is better for loss. */
  metricChange: number;
  /** afterGap.gap − beforeGap.gap: negative means regularization narrowed the gap. */
  gapChange: number;
  checks: { smallerGap: Check; reachesTarget?: Check };
}

/**
 * Why the gap is read where training ends, said in every gap check's message. The overfitting step 6
 * demonstrated is validation getting worse after its best epoch while training keeps improving; at
 * the best epoch itself it has not started, and an early best epoch has a gap near zero or below for
 * any model (an epoch's training metric is averaged over its batches while the model still learned;
 * validation is measured at the epoch's end), so no regularization could narrow it there.
 */
const WHY_END_GAP =
  "The gap is read at the epoch each model ends its training with (its last, or the one early stopping restored): " +
  "that is the model the final training reproduces, and overfitting shows after the best validation epoch, not at it.";

/**
 * Step 7: the regularized model against the student's step-6 model, both retrained on the same
 * seeds so the difference is the student's change, not luck. A Check for the narrower gap — each
 * model's gap where its training ends (see `WHY_END_GAP`) — and, when a target is given, one for
 * reaching it (on `targetValue` — typically the final model's test metric — or else on the best
 * validation metric). The best validation metrics are compared too, in the message: a narrower gap
 * bought with a worse model is no win.
 */
export function compareRegularization(input: {
  before: readonly EpochMetrics[];
  after: readonly EpochMetrics[];
  metric?: ComparedMetric;
  /**
   * Epoch whose weights each model ends with, 1-based: the one early stopping restored, or the
   * epochs the final model trains for. Default each history's last epoch.
   */
  beforeEndEpoch?: number;
  afterEndEpoch?: number;
  /**
   * Smallest change (absolute, in metric units) that counts as one: the gap must shrink by at least
   * this much to pass, and a validation change below it is reported as no change. Default 0.01.
   */
  minEffect?: number;
  /** Why this gap is the one compared, said in the message (see `gapMetricFor`). */
  gapReason?: string;
  target?: number;
  targetValue?: number;
}): RegularizationComparison {
  const { metric = "accuracy", minEffect = DEFAULT_MIN_EFFECT, target } = input;
  const before = bestEpoch(input.before, metric);
  const after = bestEpoch(input.after, metric);
  const beforeGap = endGap(input.before, metric, input.beforeEndEpoch);
  const afterGap = endGap(input.after, metric, input.afterEndEpoch);
  const gapChange = afterGap.gap - beforeGap.gap;
  const metricChange = after.value - before.value;
  // Gaps and changes of a few thousandths decide this check: four decimals show them.
  const fmt = (value: number) => (Number.isFinite(value) ? value.toFixed(4) : String(value));
  const word = metric === "accuracy" ? "accuracy" : "loss";
  const smallerGapPassed = gapChange <= -minEffect;
  const reason = input.gapReason ? ` (${input.gapReason})` : "";
  const gaps = `Train/validation ${word} gap where training ends${reason}: ${fmt(beforeGap.gap)} before (epoch ${beforeGap.epoch}), ${fmt(afterGap.gap)} after (epoch ${afterGap.epoch})`;
  const verdictOnGap = smallerGapPassed
    ? `regularization narrowed it by ${fmt(-gapChange)}.`
    : gapChange < 0
      ? `no meaningful change: it shrank by ${fmt(-gapChange)}, less than the ${fmt(minEffect)} that run-to-run noise can account for. Try dropout, L2 weight decay, a smaller network or fewer epochs.`
      : `it did not shrink. Try dropout, L2 weight decay, a smaller network or fewer epochs.`;
  const smallerGap: Check = {
    id: "smaller-gap",
    passed: smallerGapPassed,
    visibility: "always",
    message: `${gaps} — ${verdictOnGap} ${validationChange(metric, before, after, minEffect, fmt)} ${WHY_END_GAP}`,
  };
  const checks: RegularizationComparison["checks"] = { smallerGap };
  if (target !== undefined) {
    const value = input.targetValue ?? after.value;
    const what = input.targetValue === undefined ? `Best validation ${word}` : `Test ${word}`;
    checks.reachesTarget = checkReachesTarget({ value, target, higherIsBetter: metric === "accuracy", what });
  }
  return { before, after, beforeGap, afterGap, metricChange, gapChange, checks };
}

/** What happened to the best validation metric: a narrower gap bought with a worse model is no win. */
function validationChange(
  metric: ComparedMetric,
  best: BestEpoch,
  bestAfter: BestEpoch,
  minEffect: number,
  fmt: (value: number) => string,
): string {
  const word = metric === "accuracy" ? "accuracy" : "loss";
  const [before, after] = [best.value, bestAfter.value];
  const gain = metric === "accuracy" ? after - before : before - after;
  const values = `best validation ${word} ${fmt(before)} (epoch ${best.epoch}) → ${fmt(after)} (epoch ${bestAfter.epoch})`;
  if (gain >= minEffect) return `The regularized model is better on validation (${values}).`;
  if (gain <= -minEffect)
    return `The regularized model is worse on validation (${values}): a narrower gap only helps if validation holds up.`;
  return `Validation ${word} did not change meaningfully (${values}).`;
}

/**
 * Classification whose most frequent class holds at least this share of the labels compares loss gaps.
 * At 0.8 a model that learned nothing already scores 0.8, so accuracy near the top mostly counts
 * majority-class rows, and it moves in whole validation rows: differences of a few rows decide the gap.
 */
export const IMBALANCED_MAJORITY_RATE = 0.8;

/**
 * Which train/validation gap step 7 compares, decided here and nowhere else:
 * - regression: the loss gap (validation − training loss), there is no accuracy;
 * - classification with a majority class of at least `IMBALANCED_MAJORITY_RATE`: the loss gap too,
 *   because cross-entropy moves with every example's predicted probability, not in whole rows of
 *   the majority class;
 * - other classification: the accuracy gap (training − validation accuracy).
 * `reason` is what the check message says about the choice when it is not the accuracy gap.
 */
export function gapMetricFor(task: { kind: "binary" | "multiclass" | "regression"; majorityRate?: number }): {
  metric: ComparedMetric;
  reason?: string;
} {
  if (task.kind === "regression") return { metric: "loss" };
  const rate = task.majorityRate;
  if (rate !== undefined && rate >= IMBALANCED_MAJORITY_RATE) {
    const share = `${Math.round(rate * 100)}%`;
    return {
      metric: "loss",
      reason: `cross-entropy, not accuracy: with ${share} of the labels in one class, accuracy mostly counts that class and moves in whole validation rows`,
    };
  }
  return { metric: "accuracy" };
}

/** Step 7's default minimum effect, in metric units, when the exercise states none. */
export const DEFAULT_MIN_EFFECT = 0.01;

export function checkReachesTarget(input: { value: number; target: number; higherIsBetter: boolean; what: string }): Check {
  const { value, target, higherIsBetter, what } = input;
  const passed = Number.isFinite(value) && (higherIsBetter ? value >= target : value <= target);
  const fmt = higherIsBetter && target <= 1 ? formatRate : formatNumber;
  return {
    id: "reaches-target",
    passed,
    visibility: "always",
    message: passed
      ? `${what} ${fmt(value)} reaches the target ${fmt(target)}.`
      : `${what} ${fmt(value)} falls short of the target ${fmt(target)} (${higherIsBetter ? "at least" : "at most"} ${fmt(target)} needed).`,
  };
}
