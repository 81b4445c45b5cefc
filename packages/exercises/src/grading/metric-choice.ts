import type { MetricValue, ProjectDecisions, ProjectMetric, Verdict } from "@stepwise/core/contracts";
import { roundRate } from "@stepwise/core/verify";
import { IMBALANCE_RATIO } from "../answers/metric";
import { positiveClassMetrics } from "./evaluate";
import type { TaskInfo } from "./task";

/** The verdict metrics (by key) that report each step-2 metric, in the order they are shown. */
const KEYS: Record<ProjectMetric, string[]> = {
  accuracy: ["testAccuracy", "hiddenRecall"],
  "precision-recall": ["recall", "precision"],
  f1: ["f1"],
  "roc-auc": ["rocAuc"],
  mae: ["testMae"],
};

/**
 * Area under the ROC curve of `scores` for class 1: the chance that a random positive example
 * scores above a random negative one (ties count half), by ranks (Mann–Whitney). NaN without both classes.
 */
export function rocAuc(scores: readonly number[], labels: ArrayLike<number>): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.[0] === order[start]?.[0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]?.[1] ?? 0] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The rare class of a binary test split, when it is rare enough for accuracy to hide it (below half its fair share). */
function rareClass(labels: ArrayLike<number>): { index: number; share: number; count: number } | undefined {
  let ones = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) ones++;
  const share1 = ones / Math.max(1, labels.length);
  const index = share1 < 0.5 ? 1 : 0;
  const share = index === 1 ? share1 : 1 - share1;
  return share < IMBALANCE_RATIO * 0.5 ? { index, share, count: index === 1 ? ones : labels.length - ones } : undefined;
}

export interface ChosenMetricInput {
  metric: ProjectMetric | undefined;
  task: TaskInfo;
  predictions: readonly number[];
  /** Binary: class 1's score per test example (ROC AUC). */
  scores?: readonly number[];
  testLabels: ArrayLike<number>;
  /** "default = 1": the class names of a table, for labels. */
  classNames?: readonly string[];
  target?: string;
  /** Whose predictions these are, for labels: "", " of the final model". */
  of?: string;
}

/**
 * The metrics a verdict needs to report step 2's choice that the step's own scoring does not already
 * compute: precision/recall/F1 of class 1, ROC AUC from the scores — and, when accuracy was chosen on a
 * binary table whose rare class it can hide, that class's recall beside it. `note` says in one
 * sentence what accuracy hid (for the summary).
 */
export function chosenMetricValues(input: ChosenMetricInput): { metrics: Record<string, MetricValue>; note?: string } {
  const { metric, task } = input;
  if (metric === undefined || task.kind !== "binary" || input.predictions.length !== input.testLabels.length) return { metrics: {} };
  const of = input.of ?? "";
  const className = (index: number) => {
    const name = input.classNames?.[index];
    return name !== undefined && input.target ? `${input.target} = ${name}` : `class ${index}`;
  };
  if (metric === "precision-recall" || metric === "f1")
    return { metrics: positiveClassMetrics(input.predictions, input.testLabels, className(1)) };
  if (metric === "roc-auc") {
    const auc = input.scores && input.scores.length === input.testLabels.length ? rocAuc(input.scores, input.testLabels) : Number.NaN;
    return Number.isFinite(auc)
      ? { metrics: { rocAuc: { label: `ROC AUC for ${className(1)}${of} (test)`, value: roundRate(auc, input.testLabels.length) } } }
      : { metrics: {} };
  }
  const rare = metric === "accuracy" ? rareClass(input.testLabels) : undefined;
  if (!rare) return { metrics: {} };
  let found = 0;
  input.predictions.forEach((p, i) => {
    if (p === rare.index && input.testLabels[i] === rare.index) found++;
  });
  const recall = roundRate(rare.count > 0 ? found / rare.count : 0, input.testLabels.length);
  const name = className(rare.index);
  return {
    metrics: {
      hiddenRecall: {
        label: `What accuracy hides: recall for ${name}, the rare class (${(rare.share * 100).toFixed(1)}% of test rows)${of}`,
        value: recall,
      },
    },
    note: `Accuracy, your metric from step 2, hides the rare class: the model finds ${(recall * 100).toFixed(0)}% of the ${rare.count} test rows with ${name} (its recall).`,
  };
}

/** The verdict with step 2's metric first among its metrics and the step-2/3/4 decisions in its environment. */
export function withProjectDecisions(verdict: Verdict, decisions: ProjectDecisions | undefined): Verdict {
  if (!decisions || Object.keys(decisions).length === 0) return verdict;
  const lead = decisions.metric ? KEYS[decisions.metric].filter((key) => key in verdict.metrics) : [];
  const metrics: Record<string, MetricValue> = {};
  for (const key of lead) {
    const value = verdict.metrics[key];
    if (value) metrics[key] = key === lead[0] ? { ...value, label: `${value.label} — your metric (step 2)` } : value;
  }
  for (const [key, value] of Object.entries(verdict.metrics)) if (!(key in metrics)) metrics[key] = value;
  return { ...verdict, metrics, ...(verdict.environment ? { environment: { ...verdict.environment, decisions } } : {}) };
}
