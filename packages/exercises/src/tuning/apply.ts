import type { DatasetRef, ExerciseDefinition, ModelSpec, SubmissionPayload, TrainingConfig } from "@stepwise/core/contracts";
import { BudgetError, ValidationError } from "@stepwise/core/contracts";
import { parseModelSpec, type JsonObject } from "@stepwise/core/model";
import { datasetForInput, prepareTraining, type PrepareOptions, type PreparedTraining } from "../grading/prepare";
import type { SearchSpace, TrialValues } from "./search";

/**
 * Applying a trial to the student's step-7 model. The model is first normalized by core's
 * `parseModelSpec` (a Sequential TF.js topology, whatever format the student sent), then:
 *
 * - `learningRate` sets `compile.learningRate`;
 * - `layers` repeats or trims the hidden blocks — a hidden block is a Dense layer before the output
 *   Dense layer with the Dropout/BatchNormalization/Activation layers that follow it; the last block
 *   is repeated, the last blocks are removed;
 * - `units` sets every hidden Dense layer's units (after `layers`, so repeated blocks get them too);
 * - `dropout` sets every Dropout layer's rate.
 *
 * Each variant is then re-validated and checked against the exercise's budgets by `prepareTraining`,
 * as a submission would be, before anything trains.
 */

type Layer = { class_name: string; config: JsonObject };

/** Layers a hidden block may hold after its Dense layer. */
const BLOCK_TAIL = new Set(["Dropout", "BatchNormalization", "Activation"]);

interface Structure {
  layers: Layer[];
  /** Index of the output Dense layer (the last Dense). */
  output: number;
  /** Start index of each hidden block, in order. */
  blocks: number[];
}

function structureOf(topology: JsonObject): Structure {
  const config = topology.config as { layers?: Layer[] } | undefined;
  const layers = structuredClone(config?.layers ?? []);
  const dense = layers.flatMap((l, i) => (l.class_name === "Dense" ? [i] : []));
  const output = dense.at(-1) ?? -1;
  return { layers, output, blocks: dense.slice(0, -1) };
}

const hasDropout = (s: Structure) => s.layers.some((l) => l.class_name === "Dropout");

/**
 * Refuses a search the model cannot take, before anything trains: every trial would fail the same
 * way. The message names the dimension and says what the model needs.
 */
export function checkSpaceFits(model: ModelSpec, space: SearchSpace): void {
  const structure = structureOf(parseModelSpec(model).topology);
  if ((space.units !== undefined || space.layers !== undefined) && structure.blocks.length === 0) {
    const key = space.units !== undefined ? "units" : "layers";
    throw new ValidationError(
      `Searching ${key} needs a hidden Dense layer before the output layer; this model has ${structure.output < 0 ? "no Dense layer" : "only its output Dense layer"}.`,
      `space.${key}`,
    );
  }
  if (space.layers !== undefined) {
    const first = structure.blocks[0] ?? 0;
    const odd = structure.layers.slice(first, structure.output).find((l) => l.class_name !== "Dense" && !BLOCK_TAIL.has(l.class_name));
    if (odd) {
      throw new ValidationError(
        `Searching layers repeats the hidden Dense blocks (Dense with Dropout/BatchNormalization/Activation after it); this model has a ${odd.class_name} layer between its first hidden Dense layer and its output.`,
        "space.layers",
      );
    }
  }
  if (space.dropout !== undefined && !hasDropout(structure)) {
    throw new ValidationError(
      "Searching dropout sets the rate of every Dropout layer; this model has none. Add one after a hidden Dense layer (tf.layers.dropout({ rate: 0.3 })).",
      "space.dropout",
    );
  }
}

/** Keeps the first `count` hidden blocks, or repeats the last one until there are `count`. */
function withBlocks(s: Structure, count: number): Layer[] {
  const first = s.blocks[0];
  if (first === undefined)
    throw new ValidationError("Searching layers needs a hidden Dense layer before the output layer.", "space.layers");
  const ends = [...s.blocks.slice(1), s.output];
  const block = (i: number) => s.layers.slice(s.blocks[i], ends[i]);
  const kept = s.blocks.slice(0, count).flatMap((_, i) => block(i));
  const last = block(s.blocks.length - 1);
  const copies = Array.from({ length: Math.max(0, count - s.blocks.length) }, () =>
    last.map((layer): Layer => {
      // A copy is a new layer: parseModelSpec names it, and only the model's first layer declares the input.
      const { name: _name, batch_input_shape: _input, ...config } = structuredClone(layer.config);
      return { class_name: layer.class_name, config };
    }),
  ).flat();
  return [...s.layers.slice(0, first), ...kept, ...copies, ...s.layers.slice(s.output)];
}

/** The student's model and training settings with one trial's values applied (not yet validated). */
export function applyTrial(
  model: ModelSpec,
  training: TrainingConfig,
  values: TrialValues,
): { model: ModelSpec; training: TrainingConfig } {
  const parsed = parseModelSpec(model);
  let layers = structureOf(parsed.topology).layers;
  if (values.layers !== undefined) layers = withBlocks(structureOf(parsed.topology), values.layers);
  if (values.units !== undefined) {
    const dense = layers.flatMap((l, i) => (l.class_name === "Dense" ? [i] : []));
    for (const i of dense.slice(0, -1)) {
      const layer = layers[i];
      if (layer) layer.config = { ...layer.config, units: values.units };
    }
  }
  if (values.dropout !== undefined) {
    layers = layers.map((l) => (l.class_name === "Dropout" ? { ...l, config: { ...l.config, rate: values.dropout ?? 0 } } : l));
  }
  const topology: JsonObject = { ...parsed.topology, config: { ...(parsed.topology.config as JsonObject), layers } };
  return {
    model: { format: "tfjs", topology },
    training:
      values.learningRate !== undefined ? { ...training, compile: { ...training.compile, learningRate: values.learningRate } } : training,
  };
}

/** One trial, ready to train, or why it will not be. */
export type PreparedTrial = { values: TrialValues; prepared: PreparedTraining } | { values: TrialValues; skipped: string };

/**
 * Applies each trial and validates it as a submission: the model parses and fits the exercise's
 * budgets (parameters, estimated time with `prepare.graderGflops`). A variant that does not is
 * skipped with the reason; the others train. Trials train on a hold-out validation split (a K-fold
 * protocol would multiply every trial's cost by K + 1).
 */
export function prepareTrials(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  trials: TrialValues[],
  prepare: PrepareOptions = {},
): PreparedTrial[] {
  const { model, training } = payload;
  if (!model || !training) throw new ValidationError("Tuning needs a submission with a model and training settings.", "model");
  return trials.map((values) => {
    const variant = applyTrial(model, training, values);
    const { validation: _protocol, ...holdout } = variant.training;
    try {
      const prepared = prepareTraining(exercise, { ...payload, model: variant.model, training: holdout }, exercise.seed, prepare);
      return { values, prepared };
    } catch (error) {
      if (error instanceof ValidationError || error instanceof BudgetError) return { values, skipped: error.message };
      throw error;
    }
  });
}

/**
 * The dataset every trial trains on, as the student's model input asks for it (an IMDB model picks
 * its encoding). Trials never change the input layer, so one encoding serves them all; the base
 * model is not held to the budgets here, a variant of it may fit where it does not.
 */
export function tuningDataset(exercise: ExerciseDefinition, payload: SubmissionPayload, prepare: PrepareOptions = {}): DatasetRef {
  if (!payload.model) throw new ValidationError("Tuning needs a submission with a model and training settings.", "model");
  const parsed = parseModelSpec(payload.model);
  return datasetForInput(exercise.dataset, parsed.topology, parsed.summary, prepare.csv);
}
