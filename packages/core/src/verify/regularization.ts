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

export interface RegularizationComparison {
  before: BestEpoch;
  after: BestEpoch;
  /** after.value − before.value: positive is better for accuracy, negative is better for loss. */
  metricChange: number;
  /** after.gap − before.gap: negative means regularization narrowed the gap. */
  gapChange: number;
  checks: { smallerGap: Check; reachesTarget?: Check };
}

/**
 * Step 7: the regularized model against the student's step-6 model, both retrained on the same
 * seeds so the difference is the student's change, not luck. A Check for the narrower gap, and,
 * when a target is given, one for reaching it (on `targetValue` — typically the final model's test
 * metric — or else on the best validation metric).
 */
export function compareRegularization(input: {
  before: readonly EpochMetrics[];
  after: readonly EpochMetrics[];
  metric?: ComparedMetric;
  /** Gap reduction (absolute, in metric units) that counts as "smaller"; default: any reduction. */
  minGapReduction?: number;
  target?: number;
  targetValue?: number;
}): RegularizationComparison {
  const { metric = "accuracy", minGapReduction = 0, target } = input;
  const before = bestEpoch(input.before, metric);
  const after = bestEpoch(input.after, metric);
  const gapChange = after.gap - before.gap;
  const metricChange = after.value - before.value;
  const fmt = metric === "accuracy" ? formatRate : formatNumber;
  const word = metric === "accuracy" ? "accuracy" : "loss";
  const smallerGapPassed = gapChange < -minGapReduction;
  const smallerGap: Check = {
    id: "smaller-gap",
    passed: smallerGapPassed,
    visibility: "always",
    message:
      `Train/validation ${word} gap at the best epoch: ${fmt(before.gap)} before (epoch ${before.epoch}), ` +
      `${fmt(after.gap)} after (epoch ${after.epoch}) — ` +
      (smallerGapPassed
        ? "regularization narrowed it."
        : `it did not shrink${minGapReduction > 0 ? ` by more than ${fmt(minGapReduction)}` : ""}. Try dropout, L2 weight decay, a smaller network or fewer epochs.`),
  };
  const checks: RegularizationComparison["checks"] = { smallerGap };
  if (target !== undefined) {
    const value = input.targetValue ?? after.value;
    const what = input.targetValue === undefined ? `Best validation ${word}` : `Test ${word}`;
    checks.reachesTarget = checkReachesTarget({ value, target, higherIsBetter: metric === "accuracy", what });
  }
  return { before, after, metricChange, gapChange, checks };
}

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
