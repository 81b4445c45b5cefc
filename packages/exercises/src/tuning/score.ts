import type { EpochMetrics, TrainingReport } from "@stepwise/core/contracts";
import { wilsonInterval } from "@stepwise/core/verify";
import { finite } from "../experiments/context";
import { tally } from "../grading/evaluate";
import { meanAbsoluteError } from "../grading/regression";
import type { TaskInfo } from "../grading/task";
import type { FinalEvaluation, SelectionMetric, TestEvaluations } from "./result";

/** What selection compares: validation accuracy (higher is better), or validation loss for regression (lower). */
export function selectionMetric(task: Pick<TaskInfo, "kind">): SelectionMetric {
  return task.kind === "regression"
    ? { name: "loss", higherIsBetter: false, split: "validation" }
    : { name: "accuracy", higherIsBetter: true, split: "validation" };
}

export interface TrialScore {
  validation: number | null;
  training: number | null;
  bestEpoch: number | null;
  gap: number | null;
}

/**
 * A trial's score, read from its validation curve only: the epoch with the best validation metric
 * (the earliest on ties), the training metric at that epoch and the gap between them. Epochs whose
 * validation metric is not a finite number (a diverged run) are never the best.
 */
export function scoreTrial(history: readonly EpochMetrics[], task: Pick<TaskInfo, "kind">): TrialScore {
  const metric = selectionMetric(task);
  const val = (row: EpochMetrics) => (metric.name === "accuracy" ? row.valAccuracy : row.valLoss);
  const train = (row: EpochMetrics) => (metric.name === "accuracy" ? row.accuracy : row.loss);
  let best: EpochMetrics | undefined;
  for (const row of history) {
    const value = val(row);
    if (value === undefined || !Number.isFinite(value)) continue;
    const current = best && val(best);
    if (current === undefined || (metric.higherIsBetter ? value > current : value < current)) best = row;
  }
  if (!best) return { validation: null, training: null, bestEpoch: null, gap: null };
  const validation = finite(val(best));
  const training = finite(train(best));
  const gap = validation === null || training === null ? null : metric.higherIsBetter ? training - validation : validation - training;
  return { validation, training, bestEpoch: best.epoch, gap };
}

/** Why a trial's training ended early, in the student's terms; undefined when it ran to its end. */
export function stopReasonText(report: Pick<TrainingReport, "stopReason" | "history">, maxSeconds: number): string | undefined {
  const epochs = report.history.length;
  switch (report.stopReason) {
    case "completed":
    case "early_stopping":
      return undefined;
    case "budget":
      return `Stopped after ${epochs} epoch${epochs === 1 ? "" : "s"}: the exercise's training budget of ${maxSeconds} s ran out.`;
    case "diverged":
      return `The loss became NaN or infinite at epoch ${epochs}: training diverged (often a learning rate that is too high).`;
    case "aborted":
      return "Training was stopped before it finished.";
  }
}

/**
 * The final model's test metric, measured once against the hidden test labels: accuracy with its
 * Wilson 95 % interval, or MAE in the target's unit. Only the final phase calls this, after
 * selection is over; the grader calls it in its parent process, where the labels live.
 */
export function scoreFinal(input: {
  predictions: readonly number[];
  testLabels: Int32Array | Float32Array;
  task: TaskInfo;
  epochs: number;
  trainExamples: number;
  seconds: number;
  evaluations?: TestEvaluations;
}): FinalEvaluation {
  const common = {
    epochs: input.epochs,
    trainExamples: input.trainExamples,
    testExamples: input.testLabels.length,
    seconds: input.seconds,
    ...(input.evaluations ? { evaluations: input.evaluations } : {}),
  };
  if (input.task.kind === "regression") {
    return { status: "evaluated", metric: "mae", test: meanAbsoluteError(input.predictions, input.testLabels), ...common };
  }
  const counts = tally(input.predictions, input.testLabels, Math.max(2, input.task.numClasses));
  return {
    status: "evaluated",
    metric: "accuracy",
    test: counts.correct / counts.n,
    interval: wilsonInterval(counts.correct, counts.n, 0.95),
    ...common,
  };
}
