import type { DatasetRef, ExerciseDefinition, ModelSummary, SubmissionPayload, TrainingConfig } from "@stepwise/core/contracts";
import { BudgetError, ValidationError } from "@stepwise/core/contracts";
import { estimateTrainingSeconds, parseModelSpec, validateTrainingConfig, withSeeds } from "@stepwise/core/model";
import type { Technique } from "../course/schema";
import type { CsvFacts } from "./csv";
import { checkToolbox } from "./toolbox";
import { taskOf, type TaskInfo } from "./task";

export interface PreparedTraining {
  /** The exercise's dataset, specialised to the encoding the model's input asks for. */
  dataset: DatasetRef;
  /** Validated TF.js topology with the job's seeds injected into every initializer. */
  topology: Record<string, unknown>;
  training: TrainingConfig;
  summary: ModelSummary;
  task: TaskInfo;
}

/**
 * Everything that can be decided about a training submission before any tensor exists: the model
 * parses, every layer is allowed, it fits the exercise's budgets. Throws `ValidationError` or
 * `BudgetError` (→ an `invalid` verdict that costs no attempt). The web app runs the same checks
 * at submit time, so the grader re-checking is defence in depth, not the first line.
 */
export interface PrepareOptions {
  /**
   * Effective training throughput of the grader, GFLOPS. When given, the estimated training time is
   * checked against the exercise's `maxSeconds` before anything is stored or trained.
   */
  graderGflops?: number;
  /**
   * Facts of a CSV dataset as the grader encodes it (`csvGrading`): the model's input must match its
   * width, a multiclass head its classes. Without them (the web app reads no data at submit) the
   * input width is checked by the grader, and a mismatch is an `invalid` verdict then.
   */
  csv?: Pick<CsvFacts, "file" | "inputSize" | "encoding" | "trainSize"> & { numClasses: number };
  /**
   * Seeds each model is retrained with (`assignmentPolicy(overrides).seeds`, 1–10; default 1). The
   * runs share the exercise's `maxSeconds`, so the estimate counts N× the training of one run.
   */
  seeds?: number;
  /**
   * Step-7 techniques the assignment allows (`toolboxPolicy(overrides).allowed`); all when absent.
   * A submission using another is refused before training, naming the technique and the rule.
   */
  toolbox?: readonly Technique[];
}

/** Rows of the built-in datasets' training splits (MNIST's 60,000 images, IMDB's 25,000 training reviews). */
const BUILT_IN_TRAINING_ROWS = { mnist: 60_000, imdb: 25_000 } as const;

/**
 * Rows a training on `kind` trains and validates on (before its validation split): a CSV table's training
 * rows (`csvRows`), or a built-in dataset's training split, within `trainLimit` when one is set.
 */
export function trainingRowsOf(kind: DatasetRef["kind"], csvRows: number | undefined, trainLimit: number | undefined): number {
  const full = kind === "csv" ? (csvRows ?? 0) : BUILT_IN_TRAINING_ROWS[kind];
  return trainLimit !== undefined ? Math.min(full, trainLimit) : full;
}

/** Rows of the dataset's training split (before any validation split), as far as known without reading it. */
function trainingRows(exercise: ExerciseDefinition, options: PrepareOptions): number {
  return trainingRowsOf(exercise.dataset.kind, options.csv?.trainSize, exercise.data.trainLimit);
}

const fmt = (x: number): string => x.toLocaleString("en-US", { maximumFractionDigits: 1 });

/**
 * Grader seconds data augmentation adds per training image (28×28), rounded up from the measurement
 * in core's augment.test.ts: ≈ 0.8 ms per batch of 128, against ≈ 13 ms for the 784-512-10 MLP's step.
 */
export const AUGMENTATION_SECONDS_PER_IMAGE = 1e-5;

/** Augmentation is not free: its pixel work comes on top of the model's, so every time estimate adds it. */
const augmentationSeconds = (training: TrainingConfig, examples: number): number =>
  training.fit.augmentation ? AUGMENTATION_SECONDS_PER_IMAGE * examples * training.fit.epochs : 0;

function checkAugmentationBudget(exercise: ExerciseDefinition, training: TrainingConfig, modelSeconds: number, examples: number): void {
  const extra = augmentationSeconds(training, examples);
  if (extra === 0) return;
  const limit = exercise.budgets.maxSeconds;
  if (modelSeconds + extra > limit) {
    throw new BudgetError(
      `training would take about ${fmt(modelSeconds + extra)} seconds (${fmt(extra)} of them augmenting images); this exercise allows ${fmt(limit)} (${((modelSeconds + extra) / limit).toFixed(1)}× over). ` +
        "Use fewer epochs or a smaller model",
    );
  }
}

/**
 * K-fold trains K models, each on (K−1)/K of the training rows, then the final model on all of them:
 * K × rows examples per epoch in all, K times one hold-out run. The estimate says so.
 */
function checkKFoldBudget(
  exercise: ExerciseDefinition,
  training: TrainingConfig,
  summary: ModelSummary,
  folds: number,
  rows: number,
  gflops: number,
): void {
  const seconds =
    estimateTrainingSeconds(summary, { examples: folds * rows, epochs: training.fit.epochs, gflops }) +
    augmentationSeconds(training, folds * rows);
  const limit = exercise.budgets.maxSeconds;
  if (seconds > limit) {
    throw new BudgetError(
      `K-fold with K = ${folds} trains ${folds} models on ${folds - 1}/${folds} of the ${fmt(rows)} training examples and then the final model on all of them, ` +
        `${folds}× the training of one run: about ${fmt(seconds)} seconds for ${training.fit.epochs} epochs; this exercise allows ${fmt(limit)} (${(seconds / limit).toFixed(1)}× over). ` +
        "Use fewer folds or epochs, or a smaller model",
    );
  }
}

/**
 * N seeds train the same model N times (each run a whole K-fold run when K-fold is chosen): N× the
 * examples of one run against one `maxSeconds`. The estimate says so, as K-fold's does.
 */
function checkSeedsBudget(
  exercise: ExerciseDefinition,
  training: TrainingConfig,
  summary: ModelSummary,
  seeds: number,
  rows: number,
  gflops: number,
  folds: number | undefined,
): void {
  const perRun = folds !== undefined ? folds * rows : Math.round(rows * (1 - training.fit.validationSplit));
  const seconds =
    estimateTrainingSeconds(summary, { examples: seeds * perRun, epochs: training.fit.epochs, gflops }) +
    augmentationSeconds(training, seeds * perRun);
  const limit = exercise.budgets.maxSeconds;
  if (seconds > limit) {
    throw new BudgetError(
      `This assignment retrains every model with ${seeds} seeds, ${seeds}× the training of one run${folds !== undefined ? ` (each a K-fold run with K = ${folds})` : ""}: ` +
        `about ${fmt(seconds)} seconds for ${training.fit.epochs} epochs on ${fmt(rows)} training examples; this exercise allows ${fmt(limit)} (${(seconds / limit).toFixed(1)}× over). ` +
        "Use fewer epochs or a smaller model",
    );
  }
}

export function prepareTraining(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  seed: number,
  options: PrepareOptions = {},
): PreparedTraining {
  if (exercise.kind !== "training") {
    throw new ValidationError(`Exercise "${exercise.id}" is answered with a form, not a model.`, "model");
  }
  if (payload.exerciseId !== exercise.id) {
    throw new ValidationError(`This assignment expects exercise "${exercise.id}", got "${payload.exerciseId}".`, "exerciseId");
  }
  if (!payload.model) throw new ValidationError("A training exercise needs a model; none was sent.", "model");
  if (!payload.training)
    throw new ValidationError(
      "A training exercise needs training settings (optimizer, loss, epochs, batch size); none were sent.",
      "training",
    );
  const parsed = parseModelSpec(payload.model, { maxParams: exercise.budgets.maxParams });
  const rows = trainingRows(exercise, options);
  const kfold = payload.training.validation?.kind === "kfold" ? payload.training.validation.folds : undefined;
  const seeds = options.seeds ?? 1;
  const estimate =
    options.graderGflops !== undefined && kfold === undefined && seeds === 1
      ? { examples: Math.round(rows * (1 - payload.training.fit.validationSplit)), gflops: options.graderGflops }
      : undefined;
  checkToolbox(exercise, payload.training, { allowed: options.toolbox, csvFile: options.csv?.file });
  const seconds = validateTrainingConfig(payload.training, exercise.budgets, parsed.summary, estimate);
  if (seconds !== undefined && estimate) checkAugmentationBudget(exercise, payload.training, seconds, estimate.examples);
  if (options.graderGflops !== undefined) {
    if (seeds > 1) checkSeedsBudget(exercise, payload.training, parsed.summary, seeds, rows, options.graderGflops, kfold);
    else if (kfold !== undefined) checkKFoldBudget(exercise, payload.training, parsed.summary, kfold, rows, options.graderGflops);
  }
  if (kfold !== undefined && options.csv && options.csv.trainSize < 2 * kfold) {
    throw new ValidationError(
      `K-fold with K = ${kfold} needs at least ${2 * kfold} training examples, ${options.csv.file} has ${options.csv.trainSize}.`,
      "training.validation.folds",
    );
  }
  return {
    dataset: datasetForInput(exercise.dataset, parsed.topology, parsed.summary, options.csv),
    topology: withSeeds(parsed.topology, seed),
    training: payload.training,
    summary: parsed.summary,
    task: taskOf(exercise.dataset, options.csv),
  };
}

const MAX_VOCABULARY = 20_000;

function layerConfigs(topology: object): { className: string; config: Record<string, unknown> }[] {
  const config = (topology as { config?: { layers?: unknown } }).config;
  const layers = Array.isArray(config?.layers) ? (config.layers as { class_name?: unknown; config?: unknown }[]) : [];
  return layers.map((l) => ({ className: String(l.class_name), config: (l.config ?? {}) as Record<string, unknown> }));
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? "batch").join(", ")}]`;

/**
 * A guided project's step 4 fixed the vocabulary (`withDecisions`): the model's input must be built
 * for it. Said in the student's terms, with the width expected and the one the model has.
 */
function checkProjectVocabulary(size: number, embedding: { config: Record<string, unknown> } | undefined, summary: ModelSummary): void {
  const chosen = `Your project's vocabulary is the ${size.toLocaleString("en-US")} most frequent training words (chosen in step 4)`;
  if (embedding) {
    const inputDim = Number(embedding.config.input_dim);
    if (inputDim === size + 2) return;
    throw new ValidationError(
      `${chosen}, so an Embedding's input_dim must be ${size + 2} (the vocabulary + padding and unknown word); this model's is ${String(embedding.config.input_dim)}.`,
      "model.layers[0].input_dim",
    );
  }
  const input = summary.inputShape.slice(1);
  if (input.length === 1 && input[0] === size) return;
  throw new ValidationError(
    `${chosen}, so the model's input must have width ${size} (inputShape: [${size}], a multi-hot vector over those words); this model's input shape is ${shapeText(summary.inputShape)}.`,
    "model.inputShape",
  );
}

/**
 * The model's input decides how the data is fed, so a student never fills a form for it.
 * MNIST: 784 flat, or 28×28(×1) for convolutions. IMDB: an Embedding input of vocabulary V takes
 * padded word-index sequences (length from the input shape); a Dense input of width V takes
 * multi-hot vectors over the top V training words — a V a guided project's step 4 fixed
 * (`fixedVocabulary`) or any 100 ≤ V ≤ 20,000. CSV: one flat row of the encoded width.
 */
export function datasetForInput(dataset: DatasetRef, topology: object, summary: ModelSummary, csv?: PrepareOptions["csv"]): DatasetRef {
  const input = summary.inputShape.slice(1);
  const size = input.reduce<number>((a, d) => a * (d ?? Number.NaN), 1);
  switch (dataset.kind) {
    case "mnist":
      if (size === 784) return dataset;
      throw new ValidationError(
        `The model's input shape ${shapeText(summary.inputShape)} fits no MNIST encoding; accepted: [784] (flattened pixels), [28, 28] or [28, 28, 1] (images).`,
        "model.inputShape",
      );
    case "imdb": {
      const embedding = layerConfigs(topology).find((l) => l.className === "Embedding");
      if (dataset.fixedVocabulary) checkProjectVocabulary(dataset.vocabularySize, embedding, summary);
      if (embedding && input.length === 1 && typeof input[0] === "number") {
        const inputDim = Number(embedding.config.input_dim);
        // Ids 0 and 1 are padding and out-of-vocabulary; words start at 2.
        const vocabularySize = inputDim - 2;
        if (!(vocabularySize >= 100 && vocabularySize <= MAX_VOCABULARY)) {
          throw new ValidationError(
            `An Embedding's input_dim is the vocabulary size + 2 (padding and unknown word); expected 102..${MAX_VOCABULARY + 2}, got ${inputDim}.`,
            "model.layers[0].input_dim",
          );
        }
        return { kind: "imdb", vocabularySize, sequenceLength: input[0] };
      }
      if (!embedding && input.length === 1 && typeof input[0] === "number" && input[0] >= 100 && input[0] <= MAX_VOCABULARY) {
        return { kind: "imdb", vocabularySize: input[0] };
      }
      throw new ValidationError(
        `The model's input shape ${shapeText(summary.inputShape)} fits no IMDB encoding; accepted: [V] multi-hot over the top V words (100 ≤ V ≤ ${MAX_VOCABULARY}), or [L] word-index sequences into an Embedding with input_dim V + 2.`,
        "model.inputShape",
      );
    }
    case "csv":
      // One encoded row per example: the width is the CSV's, known once the grader has read the data.
      if (!csv || (input.length === 1 && input[0] === csv.inputSize)) return dataset;
      throw new ValidationError(
        `The model's input shape ${shapeText(summary.inputShape)} fits no encoding of ${csv.file}; accepted: [${csv.inputSize}] — ${csv.encoding}.`,
        "model.inputShape",
      );
  }
}
