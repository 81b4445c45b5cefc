import type { KFoldReport, MetricValue } from "@stepwise/core/contracts";
import { formatNumber, roundRate } from "@stepwise/core/verify";

/** A value in the target's unit: prices as "183,400", small values with 3 significant digits. */
export const formatTarget = (x: number): string => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : formatNumber(x));

/** Counts correct answers and how often each class was predicted. */
export function tally(predictions: readonly number[], labels: ArrayLike<number>, classes: number) {
  if (predictions.length !== labels.length) {
    throw new Error(`expected ${labels.length} test predictions, got ${predictions.length}`);
  }
  const predictedClassCounts = new Array<number>(classes).fill(0);
  let correct = 0;
  predictions.forEach((p, i) => {
    if (p === labels[i]) correct += 1;
    if (Number.isInteger(p) && p >= 0 && p < classes) predictedClassCounts[p] = (predictedClassCounts[p] ?? 0) + 1;
  });
  return { correct, n: labels.length, predictedClassCounts };
}

export interface PositiveClassRates {
  /** Of the examples called positive, the share that are (0 when none is called positive). */
  precision: number;
  /** Of the positive examples, the share found (0 when the test split holds none). */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
}

/** Precision, recall and F1 of class 1 of a binary task: what accuracy hides when that class is rare. */
export function positiveClassRates(predictions: readonly number[], labels: ArrayLike<number>): PositiveClassRates {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  predictions.forEach((p, i) => {
    const positive = labels[i] === 1;
    if (p === 1 && positive) tp++;
    else if (p === 1) fp++;
    else if (positive) fn++;
  });
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
}

/** Verdict metrics of the positive class of a binary task, named after it (e.g. "default = 1"). */
export function positiveClassMetrics(
  predictions: readonly number[],
  labels: ArrayLike<number>,
  positiveName = "class 1",
): Record<string, MetricValue> {
  const rates = positiveClassRates(predictions, labels);
  // On a small hidden split, no finer than accuracy is reported (`roundRate`): exact rates would give its counts away.
  const on = (value: number) => roundRate(value, labels.length);
  return {
    precision: { label: `Precision for ${positiveName} (test)`, value: on(rates.precision) },
    recall: { label: `Recall for ${positiveName} (test)`, value: on(rates.recall) },
    f1: { label: `F1 for ${positiveName} (test)`, value: on(rates.f1) },
  };
}

/** Mean and sample standard deviation (K − 1 in the denominator) of the per-fold metric. */
export function foldSummary(report: KFoldReport): { mean: number; std: number } {
  const values = report.folds.map((f) => f.value);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** K-fold metrics for the verdict: one per fold, then mean and std over the folds. */
export function kfoldMetrics(report: KFoldReport): Record<string, MetricValue> {
  const name = report.metric === "accuracy" ? "accuracy" : "MAE";
  const k = report.folds.length;
  const { mean, std } = foldSummary(report);
  const metrics: Record<string, MetricValue> = {};
  for (const fold of report.folds) {
    metrics[`fold${fold.fold}`] = {
      label: `Fold ${fold.fold} of ${k}: validation ${name} (${fold.validationSize} examples)`,
      value: fold.value,
    };
  }
  metrics.kfoldMean = { label: `K-fold validation ${name}, mean over ${k} folds`, value: mean };
  metrics.kfoldStd = { label: `K-fold validation ${name}, standard deviation over ${k} folds`, value: std };
  return metrics;
}

/** "K-fold (K = 5) validation accuracy 0.912 ± 0.011" */
export function kfoldSentence(report: KFoldReport): string {
  const { mean, std } = foldSummary(report);
  const fmt = (x: number) => (report.metric === "accuracy" ? x.toFixed(3) : formatTarget(x));
  return `K-fold (K = ${report.folds.length}) validation ${report.metric === "accuracy" ? "accuracy" : "MAE"} ${fmt(mean)} ± ${fmt(std)} (mean ± std over the folds).`;
}
