import type { ProjectPreparation } from "../contracts/decisions";
import { applyStandardizer, type StandardizerStats } from "./standardize";
import type { ExampleSet } from "./types";

export type InputScaling = ProjectPreparation["scaling"];

/** One mean and standard deviation for every input, from the training examples: what step 4 on MNIST asks for. */
function pooledStats(set: ExampleSet): StandardizerStats {
  const size = set.inputSize;
  const batch = 256;
  const out = new Float32Array(batch * size);
  let sum = 0;
  let sumSq = 0;
  for (let start = 0; start < set.n; start += batch) {
    const count = Math.min(batch, set.n - start);
    set.gatherInputs(
      Int32Array.from({ length: count }, (_, i) => start + i),
      out,
    );
    for (let i = 0; i < count * size; i++) {
      const v = out[i] ?? 0;
      sum += v;
      sumSq += v * v;
    }
  }
  const values = Math.max(1, set.n * size);
  const mean = sum / values;
  const std = Math.sqrt(Math.max(0, sumSq / values - mean * mean)) || 1;
  return { mean: new Float32Array(size).fill(mean), std: new Float32Array(size).fill(std) };
}

/** A view of `set` whose inputs are multiplied by `factor` (labels unchanged). */
function scaled(set: ExampleSet, factor: number): ExampleSet {
  return {
    ...set,
    gatherInputs(indices, out) {
      set.gatherInputs(indices, out);
      for (let i = 0; i < indices.length * set.inputSize; i++) out[i] = (out[i] ?? 0) * factor;
    },
  };
}

/**
 * Image inputs (loaded as pixels ÷ 255) prepared the way the student chose in step 4: kept in [0, 1],
 * standardized with one mean and standard deviation fitted on the training images only (the test
 * inputs get the training statistics), or raw bytes 0–255. The model is then trained on what the
 * choice gives, so a poor one shows in the learning curves, not as a hidden penalty.
 */
export function prepareImageInputs(
  data: { train: ExampleSet; testInputs: ExampleSet },
  scaling: InputScaling | undefined,
): { train: ExampleSet; testInputs: ExampleSet } {
  if (scaling === "standardize") {
    const stats = pooledStats(data.train);
    return { train: applyStandardizer(data.train, stats), testInputs: applyStandardizer(data.testInputs, stats) };
  }
  if (scaling === "none") return { train: scaled(data.train, 255), testInputs: scaled(data.testInputs, 255) };
  return data;
}
