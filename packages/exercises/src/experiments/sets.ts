import type { ExampleSet } from "@stepwise/core/datasets";
import { limit, permutation } from "@stepwise/core/datasets";

function labelsOf(set: ExampleSet): Int32Array | Float32Array {
  if (!set.labels) throw new Error("the training split has no labels");
  return set.labels;
}

/** The same inputs with the labels permuted by a seeded shuffle: any signal left is a leak. */
export function withShuffledLabels(set: ExampleSet, seed: number): ExampleSet {
  const labels = labelsOf(set);
  const order = permutation(labels.length, seed);
  const shuffled = labels instanceof Int32Array ? new Int32Array(labels.length) : new Float32Array(labels.length);
  order.forEach((from, to) => (shuffled[to] = labels[from] ?? 0));
  return { n: set.n, inputSize: set.inputSize, naturalShape: set.naturalShape, gatherInputs: (i, out) => set.gatherInputs(i, out), labels: shuffled };
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
