import type { DatasetRef, ExerciseDefinition, ModelSummary, SubmissionPayload, TrainingConfig } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import { parseModelSpec, validateTrainingConfig, withSeeds } from "@stepwise/core/model";
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
}

/** Training examples a model sees per epoch: the dataset's training split, less the validation split. */
function trainingExamples(exercise: ExerciseDefinition, validationSplit: number): number {
  const full = exercise.dataset.kind === "mnist" ? 60_000 : exercise.dataset.kind === "imdb" ? 25_000 : 0;
  const size = exercise.data.trainLimit !== undefined ? Math.min(full, exercise.data.trainLimit) : full;
  return Math.round(size * (1 - validationSplit));
}

export function prepareTraining(exercise: ExerciseDefinition, payload: SubmissionPayload, seed: number, options: PrepareOptions = {}): PreparedTraining {
  if (exercise.kind !== "training") {
    throw new ValidationError(`Exercise "${exercise.id}" is answered with a form, not a model.`, "model");
  }
  if (payload.exerciseId !== exercise.id) {
    throw new ValidationError(`This assignment expects exercise "${exercise.id}", got "${payload.exerciseId}".`, "exerciseId");
  }
  if (!payload.model) throw new ValidationError("A training exercise needs a model; none was sent.", "model");
  if (!payload.training) throw new ValidationError("A training exercise needs training settings (optimizer, loss, epochs, batch size); none were sent.", "training");
  const parsed = parseModelSpec(payload.model, { maxParams: exercise.budgets.maxParams });
  const estimate =
    options.graderGflops !== undefined
      ? { examples: trainingExamples(exercise, payload.training.fit.validationSplit), gflops: options.graderGflops }
      : undefined;
  validateTrainingConfig(payload.training, exercise.budgets, parsed.summary, estimate);
  return {
    dataset: datasetForInput(exercise.dataset, parsed.topology, parsed.summary),
    topology: withSeeds(parsed.topology, seed),
    training: payload.training,
    summary: parsed.summary,
    task: taskOf(exercise.dataset),
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
 * The model's input decides how the data is fed, so a student never fills a form for it.
 * MNIST: 784 flat, or 28×28(×1) for convolutions. IMDB: an Embedding input of vocabulary V takes
 * padded word-index sequences (length from the input shape); a Dense input of width V takes
 * multi-hot vectors over the top V training words.
 */
export function datasetForInput(dataset: DatasetRef, topology: object, summary: ModelSummary): DatasetRef {
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
      return dataset;
  }
}
