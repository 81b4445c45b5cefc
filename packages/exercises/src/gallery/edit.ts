import type { SubmissionPayload, TrainingConfig } from "@stepwise/core/contracts";
import { solutions } from "../solutions";

type Layer = { class_name: string; config: Record<string, unknown> };
/** A submission whose topology is a Sequential layer list and whose training settings are present, to edit. */
export type Editable = SubmissionPayload & { model: { topology: { config: { layers: Layer[] } } }; training: TrainingConfig };
export type Change = (submission: Editable) => void;

/** A copy of an exercise's reference (or naive) solution with one mistake made in it. */
export function mistakeIn(exerciseId: string, change: Change, which: "reference" | "naive" = "reference"): SubmissionPayload {
  const solution = solutions[exerciseId]?.[which];
  if (!solution) throw new Error(`no ${which} solution for ${exerciseId}`);
  const copy = structuredClone(solution) as Editable;
  change(copy);
  return copy;
}

export const outputLayer = (s: Editable): Record<string, unknown> => s.model.topology.config.layers.at(-1)?.config ?? {};

export const compile =
  (changes: Partial<TrainingConfig["compile"]>): Change =>
  (s) => {
    s.training.compile = { ...s.training.compile, ...changes };
  };

export const fit =
  (changes: Partial<TrainingConfig["fit"]>): Change =>
  (s) => {
    s.training.fit = { ...s.training.fit, ...changes };
  };

/** Hold-out validation instead of K-fold: one model to train instead of K + 1. */
export const holdout: Change = (s) => {
  delete s.training.validation;
};

export const both =
  (...changes: Change[]): Change =>
  (s) => {
    for (const change of changes) change(s);
  };

/**
 * `depth` Dense layers in place of the hidden ones (the first keeps the input shape), each with
 * `units`, `activation` and, when given, a kernel initializer; the output layer stays.
 */
export const hiddenStack =
  (depth: number, units: number, activation: string, initializer?: Record<string, unknown>): Change =>
  (s) => {
    const layers = s.model.topology.config.layers;
    const first = layers[0]?.config ?? {};
    const output = layers.at(-1);
    if (!output) return;
    const inputShape = first.batch_input_shape ?? first.batchInputShape;
    const hidden: Layer[] = Array.from({ length: depth }, (_, i) => ({
      class_name: "Dense",
      config: {
        name: `hidden_${i + 1}`,
        units,
        activation,
        ...(initializer ? { kernel_initializer: initializer } : {}),
        ...(i === 0 && inputShape !== undefined ? { batch_input_shape: inputShape } : {}),
      },
    }));
    s.model.topology.config.layers = [...hidden, output];
  };
