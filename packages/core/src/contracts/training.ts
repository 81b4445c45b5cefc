import { z } from "zod";

/** Optimizers the grader can build; names match `tf.train.*` factories. */
export const OptimizerName = z
  .enum(["sgd", "momentum", "adam", "rmsprop", "adagrad", "adadelta", "adamax"])
  .describe("Optimizer, as named by tf.train");
export type OptimizerName = z.infer<typeof OptimizerName>;

export const LossName = z
  .enum([
    "categoricalCrossentropy",
    "sparseCategoricalCrossentropy",
    "binaryCrossentropy",
    "meanSquaredError",
    "meanAbsoluteError",
  ])
  .describe("Loss function, as named by tf.losses / Keras (camelCase)");
export type LossName = z.infer<typeof LossName>;

export const MetricName = z.enum(["accuracy", "mae", "mse"]).describe("Metric tracked per epoch");
export type MetricName = z.infer<typeof MetricName>;

const finite = z.number().refine(Number.isFinite, { message: "must be a finite number" });

export const CompileConfig = z
  .object({
    optimizer: OptimizerName,
    learningRate: finite
      .gt(0, { message: "learning rate must be > 0" })
      .max(10, { message: "learning rate must be ≤ 10" })
      .describe("Learning rate (unitless), 0 < lr ≤ 10"),
    loss: LossName,
    metrics: z.array(MetricName).max(3).default(["accuracy"]),
  })
  .strict();
export type CompileConfig = z.infer<typeof CompileConfig>;

export const FitConfig = z
  .object({
    epochs: z.number().int().min(1).max(500).describe("Number of passes over the training data"),
    batchSize: z.number().int().min(1).max(8192).describe("Examples per gradient step"),
    validationSplit: finite
      .min(0)
      .max(0.5)
      .default(0.2)
      .describe("Fraction of the training data held out for validation (0..0.5)"),
    shuffle: z.boolean().default(true).describe("Shuffle the training data each epoch (seeded)"),
  })
  .strict();
export type FitConfig = z.infer<typeof FitConfig>;

/**
 * How the grader measures validation performance. `holdout` (the default) carves `fit.validationSplit`
 * off the training data; `kfold` trains K models, each validated on one of K disjoint folds of the
 * training split, reports the per-fold metric with its mean ± std, then trains the final model on all
 * training data. K-fold costs K× the training of one run: the budget check counts it so.
 */
export const ValidationProtocol = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("holdout") }).strict(),
  z
    .object({
      kind: z.literal("kfold"),
      folds: z.number().int().min(2).max(10).describe("Number of folds K (2–10); each validates on 1/K of the training data"),
    })
    .strict(),
]);
export type ValidationProtocol = z.infer<typeof ValidationProtocol>;

export const TrainingConfig = z
  .object({
    compile: CompileConfig,
    fit: FitConfig,
    validation: ValidationProtocol.optional().describe("Evaluation protocol; hold-out (`fit.validationSplit`) when absent"),
  })
  .strict();
export type TrainingConfig = z.infer<typeof TrainingConfig>;

/** One row of a learning curve. Epochs are 1-based. */
export const EpochMetrics = z.object({
  epoch: z.number().int().min(1),
  loss: z.number(),
  accuracy: z.number().optional(),
  valLoss: z.number().optional(),
  valAccuracy: z.number().optional(),
  seconds: z.number().min(0).describe("Wall-clock seconds this epoch took"),
});
export type EpochMetrics = z.infer<typeof EpochMetrics>;

/** One fold of a K-fold run: the metric of the model trained on the other folds, on this fold's examples. */
export const FoldResult = z.object({
  fold: z.number().int().min(1).describe("1-based fold number"),
  validationSize: z.number().int().min(1).describe("Examples in this fold"),
  value: z.number().describe("Validation metric of the fold's model on this fold"),
});
export type FoldResult = z.infer<typeof FoldResult>;

export const KFoldReport = z.object({
  metric: z.enum(["accuracy", "mae"]).describe("Validation metric measured on each fold (MAE in the target's unit)"),
  folds: z.array(FoldResult).min(2),
});
export type KFoldReport = z.infer<typeof KFoldReport>;

export const BackendName = z.enum(["tensorflow", "wasm", "cpu", "webgl", "webgpu"]);
export type BackendName = z.infer<typeof BackendName>;

export const TrainingReport = z.object({
  history: z.array(EpochMetrics),
  backend: z.string(),
  tfjsVersion: z.string(),
  seed: z.number().int(),
  durationMs: z.number().min(0),
  stoppedEarly: z.boolean().default(false),
  /** Why training ended before its last epoch, if it did. */
  stopReason: z.enum(["completed", "aborted", "budget", "diverged", "early_stopping"]).default("completed"),
  /** K-fold runs: each fold's validation metric; `history` is then the per-epoch mean over the folds. */
  kfold: KFoldReport.optional(),
});
export type TrainingReport = z.infer<typeof TrainingReport>;
