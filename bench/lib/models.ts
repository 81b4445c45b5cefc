/**
 * The benchmark models, defined once for TF.js (Keras JSON), PyTorch (same layer sizes) and
 * the FLOP count. Sizes follow Chollet's "Deep Learning with Python" ch. 2–5 examples; the CNN is
 * the smallest one students reach for first on MNIST.
 */
export type ModelName = "mnist" | "mnist-cnn" | "imdb";

export const MODEL_NAMES: readonly ModelName[] = ["mnist", "mnist-cnn", "imdb"];

export interface BenchModel {
  name: ModelName;
  title: string;
  /** Units per Dense layer, input first: [784, 512, 10] (a CNN lists its layers in `keras` instead). */
  sizes: number[];
  activations: string[];
  /** Keras layers when the model is not a stack of Dense layers. */
  keras?: unknown[];
  /** Forward multiply-adds per example when `keras` is given (otherwise computed from `sizes`). */
  macs?: number;
  loss: "sparseCategoricalCrossentropy" | "binaryCrossentropy";
  batchSize: number;
  epochs: number;
  /** Training examples of the full set. */
  examples: number;
  /** Examples for the cpu backend, which is ~100× slower: a fixed slice, said so in the table. */
  cpuExamples: number;
  quickExamples: number;
}

/** Both MNIST models train the same way, so their rows compare the layers alone. */
const MNIST_RUN = {
  loss: "sparseCategoricalCrossentropy",
  batchSize: 128,
  epochs: 1,
  examples: 60_000,
  cpuExamples: 3_000,
  quickExamples: 6_000,
} as const;

export const MODELS: Record<ModelName, BenchModel> = {
  mnist: {
    name: "mnist",
    title: "MNIST MLP 784-512relu-10softmax, rmsprop 1e-3, batch 128, 1 epoch",
    sizes: [784, 512, 10],
    activations: ["relu", "softmax"],
    ...MNIST_RUN,
  },
  "mnist-cnn": {
    name: "mnist-cnn",
    title: "MNIST CNN Conv2D(8, 3×3, relu)-MaxPool(2)-Flatten-Dense(10, softmax), rmsprop 1e-3, batch 128, 1 epoch",
    sizes: [784, 10],
    activations: ["softmax"],
    keras: [
      { class_name: "Conv2D", config: { filters: 8, kernel_size: [3, 3], activation: "relu", batch_input_shape: [null, 28, 28, 1] } },
      { class_name: "MaxPooling2D", config: { pool_size: [2, 2] } },
      { class_name: "Flatten", config: {} },
      { class_name: "Dense", config: { units: 10, activation: "softmax" } },
    ],
    // Conv: 26·26 outputs × 8 filters × 3·3 taps; Dense: 13·13·8 × 10.
    macs: 26 * 26 * 8 * 9 + 13 * 13 * 8 * 10,
    ...MNIST_RUN,
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
  if (model.macs !== undefined) return model.macs;
  let macs = 0;
  for (let i = 1; i < model.sizes.length; i++) macs += (model.sizes[i - 1] ?? 0) * (model.sizes[i] ?? 0);
  return macs;
}

/**
 * Training FLOPs per example = 3 × 2 × forward MACs: forward, gradient w.r.t. activations and
 * gradient w.r.t. weights each cost one matmul of the forward's size. It slightly overstates the
 * first layer (its input gradient is not needed), the usual convention; pooling and activations
 * are not counted.
 */
export function trainFlopsPerExample(model: BenchModel): number {
  return 3 * 2 * forwardMacs(model);
}

/** Keras Sequential layers for `parseModelSpec({ format: "keras", … })`. */
export function kerasLayers(model: BenchModel): unknown[] {
  if (model.keras) return model.keras;
  return model.sizes.slice(1).map((units, i) => ({
    class_name: "Dense",
    config: {
      units,
      activation: model.activations[i],
      ...(i === 0 ? { batch_input_shape: [null, model.sizes[0]] } : {}),
    },
  }));
}
