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

export const TrainingConfig = z.object({ compile: CompileConfig, fit: FitConfig }).strict();
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
});
export type TrainingReport = z.infer<typeof TrainingReport>;
