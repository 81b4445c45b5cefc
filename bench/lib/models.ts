/**
 * The two benchmark models, defined once for TF.js (Keras JSON), PyTorch (same layer sizes) and
 * the FLOP count. Sizes follow Chollet's "Deep Learning with Python" ch. 2–4 examples.
 */
export type ModelName = "mnist" | "imdb";

export interface BenchModel {
  name: ModelName;
  title: string;
  /** Units per Dense layer, input first: [784, 512, 10]. */
  sizes: number[];
  activations: string[];
  loss: "sparseCategoricalCrossentropy" | "binaryCrossentropy";
  batchSize: number;
  epochs: number;
  /** Training examples of the full set. */
  examples: number;
  /** Examples for the cpu backend, which is ~100× slower: a fixed slice, said so in the table. */
  cpuExamples: number;
  quickExamples: number;
}

export const MODELS: Record<ModelName, BenchModel> = {
  mnist: {
    name: "mnist",
    title: "MNIST MLP 784-512relu-10softmax, rmsprop 1e-3, batch 128, 1 epoch",
    sizes: [784, 512, 10],
    activations: ["relu", "softmax"],
    loss: "sparseCategoricalCrossentropy",
    batchSize: 128,
    epochs: 1,
    examples: 60_000,
    cpuExamples: 3_000,
    quickExamples: 6_000,
  },
  imdb: {
    name: "imdb",
    title: "IMDB multi-hot 10000-16relu-16relu-1sigmoid, rmsprop 1e-3, batch 512, 4 epochs",
    sizes: [10_000, 16, 16, 1],
    activations: ["relu", "relu", "sigmoid"],
    loss: "binaryCrossentropy",
    batchSize: 512,
    epochs: 4,
    examples: 25_000,
    cpuExamples: 3_000,
    quickExamples: 5_000,
  },
};

/** Multiply-adds of one forward pass of one example (weights only; biases and activations are noise). */
export function forwardMacs(model: BenchModel): number {
  let macs = 0;
  for (let i = 1; i < model.sizes.length; i++) macs += (model.sizes[i - 1] ?? 0) * (model.sizes[i] ?? 0);
  return macs;
}

/**
 * Training FLOPs per example = 3 × 2 × forward MACs: forward, gradient w.r.t. activations and
 * gradient w.r.t. weights each cost one matmul of the forward's size. It slightly overstates the
 * first layer (its input gradient is not needed), the usual convention.
 */
export function trainFlopsPerExample(model: BenchModel): number {
  return 3 * 2 * forwardMacs(model);
}

/** Keras Sequential layers for `parseModelSpec({ format: "keras", … })`. */
export function kerasLayers(model: BenchModel): unknown[] {
  return model.sizes.slice(1).map((units, i) => ({
    class_name: "Dense",
    config: {
      units,
      activation: model.activations[i],
      ...(i === 0 ? { batch_input_shape: [null, model.sizes[0]] } : {}),
    },
  }));
}
