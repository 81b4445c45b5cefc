import { PreconditionError, type EpochMetrics, type TrainingConfig } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import { splitIndices, subset, type ExampleSet } from "@stepwise/core/datasets";
import type { JsonObject } from "@stepwise/core/model";
import { train, type BatchLoss } from "@stepwise/core/training";
import type { PreparedTraining } from "../grading/prepare";
import type { Curve } from "./result";

/** Everything an experiment runs on. Built by `runExperiment` from an exercise, or directly in tests. */
export interface ExperimentContext {
  tf: Tf;
  /** The student's validated model and training settings. */
  prepared: PreparedTraining;
  /** Labelled training examples: a slice of the grader's training split, never test data. */
  train: ExampleSet;
  seed: number;
  /**
   * The data pipeline between the labelled examples and the model (identity for the built-in
   * datasets). Experiments apply it after they change the labelled data (shuffle labels, take a
   * subset), so a pipeline that derives inputs from labels shows up as a leak.
   */
  pipeline?: (set: ExampleSet) => ExampleSet;
  /**
   * Regression on a CSV: the grader standardizes the targets before training; their
   * mean and std in the target's own unit, so messages can say so.
   */
  targetScale?: { mean: number; std: number };
  /** Names of the input features (a CSV's encoded columns), for messages; feature indices without them. */
  featureNames?: readonly string[];
  /** Wall-clock budget of each training inside the experiment, seconds. */
  maxSeconds?: number;
  /** Steps of the learning-rate sweep (a few hundred by default; tests use fewer). */
  sweepSteps?: number;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  onBatch?: (batch: BatchLoss) => void;
}

export const feed = (ctx: ExperimentContext, set: ExampleSet): ExampleSet => (ctx.pipeline ? ctx.pipeline(set) : set);

export const pct = (x: number | undefined | null) => (x === undefined || x === null ? "—" : `${(x * 100).toFixed(1)}%`);

/** Learning rates and losses as a student reads them: 0.001, 3e-5, 2.31. */
export const num = (x: number) =>
  x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4) ? Number(x.toPrecision(2)).toExponential() : String(Number(x.toPrecision(3)));

export const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/**
 * The student's settings with an experiment's own epochs, batch size or split. Step 7's toolbox is left
 * out unless `changes` sets it again: the checks choose their epochs and read whole curves, which early
 * stopping would cut short, and augmentation would blur what they test (memorizing 100 examples, a leak,
 * a label fed as an input). The step-by-step checks (loss per batch, the range test) keep it: they watch
 * the batches exactly as grading trains on them.
 */
export function withFit(training: TrainingConfig, changes: Partial<TrainingConfig["fit"]>): TrainingConfig {
  const { earlyStopping: _stopping, augmentation: _augmentation, ...fit } = training.fit;
  return { ...training, fit: { ...fit, ...changes } };
}

/** JSON cannot hold NaN: a diverged epoch's loss becomes null. */
export function toCurve(history: EpochMetrics[]): Curve {
  return history.map((row) => ({ ...row, loss: finite(row.loss), ...(row.valLoss !== undefined ? { valLoss: finite(row.valLoss) } : {}) }));
}

/** A seeded split of the experiment's examples into a part to train on and one to validate on. */
export function holdOut(set: ExampleSet, fraction: number, seed: number): { fit: ExampleSet; validation: ExampleSet } {
  const parts = splitIndices(set.n, { validationFraction: fraction, seed });
  return { fit: subset(set, parts.train), validation: subset(set, parts.validation) };
}

/** Trains the (possibly modified) student model on `set` and returns its curve; the model is discarded. */
export async function trainCurve(
  ctx: ExperimentContext,
  set: ExampleSet,
  training: TrainingConfig,
  extra: { topology?: JsonObject; validation?: ExampleSet } = {},
): Promise<EpochMetrics[]> {
  const { report, model } = await train(ctx.tf, {
    topology: extra.topology ?? (ctx.prepared.topology as JsonObject),
    training,
    train: set,
    ...(extra.validation ? { validation: extra.validation } : {}),
    task: ctx.prepared.task,
    seed: ctx.seed,
    ...(ctx.maxSeconds !== undefined ? { maxSeconds: ctx.maxSeconds } : {}),
    onEpoch: (m, _e, epochs) => ctx.onEpoch?.(m, epochs),
  });
  model.dispose();
  return report.history;
}

/** Share of the most common label: the accuracy of always answering it. */
export function majorityRate(labels: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i] ?? 0, (counts.get(labels[i] ?? 0) ?? 0) + 1);
  return labels.length ? Math.max(...counts.values()) / labels.length : 0;
}

/** Experiments judged by accuracy have nothing to say about a regression task. */
export function requireClassification(ctx: ExperimentContext, experiment: string): void {
  if (ctx.prepared.task.kind === "regression") {
    throw new PreconditionError(
      `${experiment} judges a model by its accuracy, which a regression task does not have; try loss-per-batch, one-feature or label-scale.`,
    );
  }
}
