/**
 * Variants of the MNIST reference model that each break one thing the debugging experiments look
 * for. Shared by the experiment tests; every variant is a real submission the grader accepts.
 */
import { join } from "node:path";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { solutions } from "../src/solutions";

export const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");

export function referenceOf(exerciseId: string): SubmissionPayload {
  const reference = solutions[exerciseId]?.reference;
  if (!reference) throw new Error(`no reference solution for ${exerciseId}`);
  return reference;
}

type Layer = { class_name: string; config: Record<string, unknown> };

function withLayers(payload: SubmissionPayload, change: (layers: Layer[]) => void): SubmissionPayload {
  const copy = structuredClone(payload);
  const layers = (copy.model as { topology?: { config?: { layers?: Layer[] } } } | undefined)?.topology?.config?.layers;
  if (!layers) throw new Error("the reference model has no layer list");
  change(layers);
  return copy;
}

export function withCompile(
  payload: SubmissionPayload,
  compile: Partial<NonNullable<SubmissionPayload["training"]>["compile"]>,
): SubmissionPayload {
  if (!payload.training) throw new Error("the reference has no training settings");
  return { ...payload, training: { ...payload.training, compile: { ...payload.training.compile, ...compile } } };
}

export function withFitSettings(
  payload: SubmissionPayload,
  fit: Partial<NonNullable<SubmissionPayload["training"]>["fit"]>,
): SubmissionPayload {
  if (!payload.training) throw new Error("the reference has no training settings");
  return { ...payload, training: { ...payload.training, fit: { ...payload.training.fit, ...fit } } };
}

const mnist = referenceOf("mnist-beat-baseline");

export const models = {
  /** The passing step-5 reference: RMSprop at 1e-3. */
  reference: mnist,
  /** Learns nothing: SGD at 1e-7 hardly moves the weights. */
  frozen: withCompile(mnist, { optimizer: "sgd", learningRate: 1e-7 }),
  /** RMSprop at 1: every step overshoots. */
  hot: withCompile(mnist, { learningRate: 1 }),
  /** Dead ReLU units: a hidden bias of −10 keeps every unit at 0, so only the output bias can learn. */
  dead: withLayers(mnist, (layers) => {
    const hidden = layers[0];
    if (hidden) hidden.config.bias_initializer = { class_name: "Constant", config: { value: -10 } };
  }),
  /**
   * A 2-unit bottleneck trained 10 epochs: it can only draw two numbers from each image, so validation
   * accuracy stops near 35% whatever the amount of data (the learning curve's plateau).
   */
  narrow: withFitSettings(
    withLayers(mnist, (layers) => {
      const hidden = layers[0];
      if (hidden) hidden.config.units = 2;
    }),
    { epochs: 10 },
  ),
  /** Huge initial weights: the softmax starts saturated at 0/1. */
  saturated: withLayers(mnist, (layers) => {
    for (const layer of layers) layer.config.kernel_initializer = { class_name: "RandomNormal", config: { stddev: 10 } };
  }),
} satisfies Record<string, SubmissionPayload>;
export type ModelName = keyof typeof models;
