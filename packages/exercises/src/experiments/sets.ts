import type { ExampleSet } from "@stepwise/core/datasets";
import { limit, permutation } from "@stepwise/core/datasets";

export function labelsOf(set: ExampleSet): Int32Array | Float32Array {
  if (!set.labels) throw new Error("the training split has no labels");
  return set.labels;
}

/** The same inputs with the labels permuted by a seeded shuffle: any signal left is a leak. */
export function withShuffledLabels(set: ExampleSet, seed: number): ExampleSet {
  const labels = labelsOf(set);
  const order = permutation(labels.length, seed);
  const shuffled = labels instanceof Int32Array ? new Int32Array(labels.length) : new Float32Array(labels.length);
  order.forEach((from, to) => (shuffled[to] = labels[from] ?? 0));
  return {
    n: set.n,
    inputSize: set.inputSize,
    naturalShape: set.naturalShape,
    gatherInputs: (i, out) => set.gatherInputs(i, out),
    labels: shuffled,
  };
}

/**
 * The inputs with the label appended as one-hot features (one feature for binary labels). A healthy
 * pipeline learns to read it and reaches near-perfect training accuracy.
 */
export function withLabelAsInput(set: ExampleSet, numClasses: number): ExampleSet {
  const labels = labelsOf(set);
  const extra = numClasses > 1 ? numClasses : 1;
  const inputSize = set.inputSize + extra;
  return {
    n: set.n,
    inputSize,
    naturalShape: [inputSize],
    labels,
    gatherInputs(indices, out) {
      const scratch = new Float32Array(indices.length * set.inputSize);
      set.gatherInputs(indices, scratch);
      for (let r = 0; r < indices.length; r++) {
        out.set(scratch.subarray(r * set.inputSize, (r + 1) * set.inputSize), r * inputSize);
        out.fill(0, r * inputSize + set.inputSize, (r + 1) * inputSize);
        const label = labels[indices[r] ?? 0] ?? 0;
        out[r * inputSize + set.inputSize + (extra > 1 ? label : 0)] = extra > 1 ? 1 : label;
      }
    },
  };
}

export const tinySubset = (set: ExampleSet, count: number, seed: number) => limit(set, count, seed);

/**
 * The same examples at a lower resolution, keeping the shape the model expects: each
 * `factor`×`factor` block of an image becomes its mean, repeated over the block (28×28 → 7×7
 * values of information for factor 4). Works for dense and convolutional models alike.
 */
export function downsampled(set: ExampleSet, factor: number): ExampleSet {
  const [height = 0, width = 0, channels = 1] = set.naturalShape;
  if (set.naturalShape.length < 2 || height % factor !== 0 || width % factor !== 0 || height * width * channels !== set.inputSize) {
    throw new Error(`downsampling needs images whose sides divide by ${factor}; got shape [${set.naturalShape.join(", ")}]`);
  }
  const size = set.inputSize;
  let scratch = new Float32Array(0);
  return {
    n: set.n,
    inputSize: size,
    naturalShape: set.naturalShape,
    ...(set.labels ? { labels: set.labels } : {}),
    gatherInputs(indices, out) {
      if (scratch.length < size) scratch = new Float32Array(size);
      for (let r = 0; r < indices.length; r++) {
        const row = scratch.subarray(0, size);
        set.gatherInputs([indices[r] ?? 0], row);
        const target = out.subarray(r * size, (r + 1) * size);
        for (let by = 0; by < height; by += factor) {
          for (let bx = 0; bx < width; bx += factor) {
            for (let c = 0; c < channels; c++) {
              let sum = 0;
              for (let y = by; y < by + factor; y++) for (let x = bx; x < bx + factor; x++) sum += row[(y * width + x) * channels + c] ?? 0;
              const mean = sum / (factor * factor);
              for (let y = by; y < by + factor; y++) for (let x = bx; x < bx + factor; x++) target[(y * width + x) * channels + c] = mean;
            }
          }
        }
      }
    },
  };
}

/** Only the features in `keep` carry their values; every other feature reads 0. */
export function onlyFeatures(set: ExampleSet, keep: ArrayLike<number>): ExampleSet {
  const mask = new Uint8Array(set.inputSize);
  for (let i = 0; i < keep.length; i++) mask[keep[i] ?? 0] = 1;
  return mapInputs(set, (value, i) => (mask[i % set.inputSize] ? value : 0));
}

/**
 * Word-index sequences that keep only the words in `keep`; every other word becomes the
 * unknown-word index (padding, 0, stays padding), so the review keeps its length.
 */
export function onlyTokens(set: ExampleSet, keep: ReadonlySet<number>, unknown = 1): ExampleSet {
  return mapInputs(set, (id) => (id !== 0 && !keep.has(id) ? unknown : id));
}

/** The same examples with every gathered input value passed through `map` (`i`: its index in the batch). */
function mapInputs(set: ExampleSet, map: (value: number, i: number) => number): ExampleSet {
  return {
    n: set.n,
    inputSize: set.inputSize,
    naturalShape: set.naturalShape,
    ...(set.labels ? { labels: set.labels } : {}),
    gatherInputs(indices, out) {
      set.gatherInputs(indices, out);
      for (let i = 0; i < indices.length * set.inputSize; i++) out[i] = map(out[i] ?? 0, i);
    },
  };
}
