import { z } from "zod";

/** Optimizers the grader can build; names match `tf.train.*` factories. */
export const OptimizerName = z
  .enum(["sgd", "momentum", "adam", "rmsprop", "adagrad", "adadelta", "adamax"])
  .describe("Optimizer, as named by tf.train");
export type OptimizerName = z.infer<typeof OptimizerName>;

export const LossName = z
  .enum(["categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy", "meanSquaredError", "meanAbsoluteError"])
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

/**
 * Step 7's data augmentation: each training image is transformed afresh every time it is batched,
 * by a random rotation about its centre, zoom and translation drawn uniformly within these bounds
 * (bilinear sampling, zeros outside the image). Validation, test and prediction inputs are never
 * augmented. Images only (MNIST); the draws are seeded, so a submission trains the same way twice.
 */
export const Augmentation = z
  .object({
    shift: finite
      .min(0, { message: "shift must be ≥ 0 pixels" })
      .max(4, { message: "shift must be ≤ 4 pixels" })
      .default(0)
      .describe("Largest random translation each way, pixels (0–4), drawn separately along each axis"),
    rotation: finite
      .min(0, { message: "rotation must be ≥ 0 degrees" })
      .max(30, { message: "rotation must be ≤ 30 degrees" })
      .default(0)
      .describe("Largest random rotation each way about the image centre, degrees (0–30)"),
    zoom: finite
      .min(0, { message: "zoom must be ≥ 0" })
      .max(0.3, { message: "zoom must be ≤ 0.3" })
      .default(0)
      .describe("Largest random zoom each way, fraction of the image size (0–0.3): the scale is drawn from [1 − zoom, 1 + zoom]"),
  })
  .strict()
  .refine((a) => a.shift > 0 || a.rotation > 0 || a.zoom > 0, {
    message: "augmentation needs a shift, rotation or zoom above 0; leave `augmentation` out to train on the images as they are",
  })
  .describe("Random shifts, rotations and zoom applied to each training batch (images only)");
export type Augmentation = z.infer<typeof Augmentation>;

/**
 * Early stopping: training ends once validation loss has not improved for `patience` epochs in a
 * row. With `restoreBestWeights` the model returned is the checkpoint of the epoch with the lowest
 * validation loss, not the last one. Needs validation data (a validation split above 0, or K-fold).
 */
export const EarlyStopping = z
  .object({
    patience: z
      .number()
      .int({ message: "patience must be a whole number of epochs" })
      .min(1, { message: "patience must be ≥ 1 epoch" })
      .max(50, { message: "patience must be ≤ 50 epochs" })
      .describe("Epochs without a new lowest validation loss before training stops (1–50)"),
    restoreBestWeights: z
      .boolean()
      .default(true)
      .describe("Return the weights of the epoch with the lowest validation loss (a checkpoint), not the last epoch's"),
  })
  .strict()
  .describe("Stop when validation loss stops improving");
export type EarlyStopping = z.infer<typeof EarlyStopping>;

export const FitConfig = z
  .object({
    epochs: z.number().int().min(1).max(500).describe("Number of passes over the training data"),
    batchSize: z.number().int().min(1).max(8192).describe("Examples per gradient step"),
    validationSplit: finite.min(0).max(0.5).default(0.2).describe("Fraction of the training data held out for validation (0..0.5)"),
    shuffle: z.boolean().default(true).describe("Shuffle the training data each epoch (seeded)"),
    augmentation: Augmentation.optional().describe("Step 7: random shifts, rotations and zoom of training images; none when absent"),
    earlyStopping: EarlyStopping.optional().describe("Step 7: stop when validation loss stops improving; train all `epochs` when absent"),
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

/**
 * Step 7 on a table: "add or remove features". Input columns named here are left out of what the
 * model sees — a numeric column by its name, a categorical one by its name (all its one-hot columns)
 * — identically in the browser preview and the grader (`selectFeatures`). The model's input width
 * shrinks accordingly.
 */
export const FeatureSelection = z
  .object({
    drop: z
      .array(z.string().min(1, { message: "a column name must not be empty" }).max(200))
      .max(200)
      .default([])
      .describe("Input columns of the table to leave out (CSV column names)"),
  })
  .strict()
  .describe("Tables only: input columns to leave out of the model's input");
export type FeatureSelection = z.infer<typeof FeatureSelection>;

export const TrainingConfig = z
  .object({
    compile: CompileConfig,
    fit: FitConfig,
    validation: ValidationProtocol.optional().describe("Evaluation protocol; hold-out (`fit.validationSplit`) when absent"),
    features: FeatureSelection.optional().describe("Step 7, tables: input columns to drop; every column when absent"),
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
  finalEpochs: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "Early stopping: epochs the final model trained on all training data (the folds' mean stopping epoch); it has no validation data to stop on",
    ),
});
export type KFoldReport = z.infer<typeof KFoldReport>;

/** A backend as reports and verdicts name it; `wasm+openblas` (or `wasm+blas`): wasm with matrix products on the machine's BLAS. */
export const BackendName = z.enum(["tensorflow", "wasm", "wasm+openblas", "wasm+blas", "cpu", "webgl", "webgpu"]);
export type BackendName = z.infer<typeof BackendName>;

/**
 * What the first epoch showed about one layer: evidence for the diagnostics a loss curve cannot give
 * (vanishing or exploding gradients, updates far too large or too small, saturated activations).
 */
export const LayerEvidence = z.object({
  name: z.string(),
  className: z.string(),
  activation: z.string().optional().describe("The layer's own activation, as written in its config"),
  params: z.number().int().min(0).describe("Trainable weights of the layer"),
  gradientStart: z
    .number()
    .min(0)
    .describe(
      "L2 norm of the loss gradient over the layer's weights at the initial weights, mean over the probe batches (Number.MAX_VALUE when not finite)",
    ),
  gradientAfter: z.number().min(0).describe("The same after the first epoch"),
  weightNorm: z.number().min(0).optional().describe("L2 norm of the layer's initial weights"),
  firstStepChange: z
    .number()
    .min(0)
    .optional()
    .describe("‖W − W₀‖ / ‖W₀‖ after the first training step: how big one update is next to the weights"),
  firstEpochChange: z.number().min(0).optional().describe("‖W − W₀‖ / ‖W₀‖ after the first epoch"),
  saturationStart: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(
      "Sigmoid/tanh layers: fraction of outputs at an end of the range (sigmoid < 0.02 or > 0.98, |tanh| > 0.98) at the initial weights",
    ),
  saturationAfter: z.number().min(0).max(1).optional().describe("The same after the first epoch"),
});
export type LayerEvidence = z.infer<typeof LayerEvidence>;

export const TrainingEvidence = z.object({
  probeBatches: z.number().int().min(1).describe("Training batches each probe averaged over"),
  layers: z.array(LayerEvidence).max(256).describe("Weight layers in order, then sigmoid/tanh Activation layers"),
});
export type TrainingEvidence = z.infer<typeof TrainingEvidence>;

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
  bestEpoch: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "Early stopping: the 1-based epoch with the lowest validation loss; the model holds its weights when `restoreBestWeights` was on",
    ),
  evidence: TrainingEvidence.optional().describe(
    "Gradient, update and saturation evidence from the first epoch; absent when it did not finish",
  ),
});
export type TrainingReport = z.infer<typeof TrainingReport>;
