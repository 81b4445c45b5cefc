import type { EpochMetrics, TrainingConfig, TrainingReport } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import type { ExampleSet, TargetScale } from "@stepwise/core/datasets";
import type { JsonObject } from "@stepwise/core/model";
import { predict, train } from "@stepwise/core/training";
import type { PreparedTraining } from "../grading/prepare";
import { decide } from "../grading/run";

/**
 * What the selection phase may see: labelled training examples, nothing else. There is no field for
 * test inputs or test labels, so no trial can be scored on test; each trial carves its validation
 * examples off `train` with the exercise's split seed.
 */
export interface SelectionData {
  readonly train: ExampleSet;
}

/**
 * What the final phase sees, after selection is over: all training examples (train+validation), the
 * test inputs to predict, and the hidden test labels behind an accessor the final phase calls once.
 */
export interface FinalData {
  readonly train: ExampleSet;
  readonly testInputs: ExampleSet;
  testLabels(): Int32Array | Float32Array;
  /** Regression on a CSV: the standardization of the target, to map predictions back to its unit. */
  readonly targetScale?: TargetScale;
}

export interface TrialTrainingInput {
  prepared: Pick<PreparedTraining, "topology" | "training" | "task">;
  selection: SelectionData;
  /** Training seed: initial weights, batch order, dropout — the same for every trial. */
  seed: number;
  /** Seed of the validation split: the exercise's data seed, so every trial validates on the same examples. */
  splitSeed: number;
  /** This trial's training budget, seconds (the exercise's `maxSeconds`). */
  maxSeconds: number;
  signal?: AbortSignal;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
}

/** Trains one trial on the training split with a hold-out validation split; the model is discarded. */
export async function trainTrial(tf: Tf, input: TrialTrainingInput): Promise<TrainingReport> {
  const { report, model } = await train(tf, {
    topology: input.prepared.topology as JsonObject,
    training: input.prepared.training,
    train: input.selection.train,
    task: input.prepared.task,
    seed: input.seed,
    splitSeed: input.splitSeed,
    maxSeconds: input.maxSeconds,
    ...(input.signal ? { signal: input.signal } : {}),
    onEpoch: (metrics, _epoch, epochs) => input.onEpoch?.(metrics, epochs),
  });
  model.dispose();
  return report;
}

/**
 * The selected configuration as the final phase trains it: no validation split, for the selected
 * trial's best epoch count. Early stopping has no validation loss to watch here; the epoch count
 * it would have chosen is already the best epoch.
 */
export function finalTraining(training: TrainingConfig, epochs: number): TrainingConfig {
  const { validation: _protocol, ...rest } = training;
  const { earlyStopping: _stopping, ...fit } = training.fit;
  return { ...rest, fit: { ...fit, validationSplit: 0, epochs } };
}

/**
 * In-process final phase (the CLI, tests): trains on all training examples and predicts the test
 * inputs. The grader does the same in a sandboxed child with `trainAndPredict`.
 */
export async function trainFinalInProcess(
  tf: Tf,
  input: {
    prepared: Pick<PreparedTraining, "topology" | "training" | "task">;
    data: FinalData;
    seed: number;
    maxSeconds: number;
    signal?: AbortSignal;
    onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  },
): Promise<{ report: TrainingReport; predictions: number[] }> {
  const { report, model } = await train(tf, {
    topology: input.prepared.topology as JsonObject,
    training: input.prepared.training,
    train: input.data.train,
    task: input.prepared.task,
    seed: input.seed,
    maxSeconds: input.maxSeconds,
    ...(input.signal ? { signal: input.signal } : {}),
    onEpoch: (metrics, _epoch, epochs) => input.onEpoch?.(metrics, epochs),
  });
  try {
    if (report.stopReason !== "completed" && report.stopReason !== "early_stopping") return { report, predictions: [] };
    const outputs = predict(tf, model, input.data.testInputs);
    return { report, predictions: decide(outputs, input.data.testInputs.n, input.prepared.task, input.data.targetScale) };
  } finally {
    model.dispose();
  }
}
