import { ValidationError } from "../contracts/errors";
import type { ExampleSet } from "./types";

export interface StandardizerStats {
  /** Per-feature mean over the training set. */
  mean: Float32Array;
  /** Per-feature population standard deviation; constant features get 1 so they map to 0, not NaN. */
  std: Float32Array;
}

/**
 * Per-feature mean and standard deviation of `trainSet`, read in batches (never the whole
 * matrix). Fit on training data only and apply the same stats to validation and test: stats
 * computed on test data would leak it into the model.
 */
export function fitStandardizer(trainSet: ExampleSet, options: { batchSize?: number } = {}): StandardizerStats {
  const { n, inputSize } = trainSet;
  if (n < 1) throw new ValidationError(`fitStandardizer needs at least 1 example, got ${n}`);
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 512, n));
  // Float64 sums with a per-feature shift (the first example) keep the variance accurate for large offsets.
  const shift = new Float32Array(inputSize);
  trainSet.gatherInputs([0], shift);
  const sum = new Float64Array(inputSize);
  const sumSq = new Float64Array(inputSize);
  const batch = new Float32Array(batchSize * inputSize);
  const indices = new Int32Array(batchSize);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    for (let i = 0; i < count; i++) indices[i] = start + i;
    trainSet.gatherInputs(indices.subarray(0, count), batch);
    for (let i = 0; i < count; i++) {
      const base = i * inputSize;
      for (let f = 0; f < inputSize; f++) {
        const d = (batch[base + f] ?? 0) - (shift[f] ?? 0);
        sum[f] = (sum[f] ?? 0) + d;
        sumSq[f] = (sumSq[f] ?? 0) + d * d;
      }
    }
  }
  const mean = new Float32Array(inputSize);
  const std = new Float32Array(inputSize);
  for (let f = 0; f < inputSize; f++) {
    const m = (sum[f] ?? 0) / n;
    const variance = Math.max(0, (sumSq[f] ?? 0) / n - m * m);
    mean[f] = m + (shift[f] ?? 0);
    const s = Math.sqrt(variance);
    std[f] = s > 1e-7 ? s : 1;
  }
  return { mean, std };
}

/** A view of `set` whose rows are (x − mean) / std; labels pass through unchanged. */
export function applyStandardizer(set: ExampleSet, stats: StandardizerStats): ExampleSet {
  const { inputSize } = set;
  if (stats.mean.length !== inputSize || stats.std.length !== inputSize) {
    throw new ValidationError(`standardizer was fitted on ${stats.mean.length} features, the set has ${inputSize}`);
  }
  const { mean, std } = stats;
  return {
    n: set.n,
    inputSize,
    naturalShape: set.naturalShape,
    ...(set.labels ? { labels: set.labels } : {}),
    gatherInputs(indices, out) {
      set.gatherInputs(indices, out);
      const total = indices.length * inputSize;
      for (let k = 0; k < total; k++) {
        const f = k % inputSize;
        out[k] = ((out[k] ?? 0) - (mean[f] ?? 0)) / (std[f] ?? 1);
      }
    },
  };
}
