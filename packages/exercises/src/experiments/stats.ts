import type { Histogram } from "./result";

/** Equal-width bins over [from, to]; values outside fall into the end bins, non-finite ones are skipped. */
export function histogram(values: ArrayLike<number>, bins: number, from?: number, to?: number): Histogram {
  let lo = from ?? Number.POSITIVE_INFINITY;
  let hi = to ?? Number.NEGATIVE_INFINITY;
  if (from === undefined || to === undefined) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] ?? Number.NaN;
      if (!Number.isFinite(v)) continue;
      if (from === undefined) lo = Math.min(lo, v);
      if (to === undefined) hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { from: 0, to: 0, counts: new Array<number>(bins).fill(0) };
  if (hi <= lo) hi = lo + 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (!Number.isFinite(v)) continue;
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { from: lo, to: hi, counts };
}

export interface Summary {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Root mean square: the typical size of the values, whatever their sign. */
  rms: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  let sum = 0;
  let sq = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    sum += v;
    sq += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const n = Math.max(values.length, 1);
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)), min, max, rms: Math.sqrt(sq / n) };
}

/** Mean over output units of the standard deviation across examples of a row-major `n × width` array. */
export function outputStd(outputs: Float32Array, width: number): number {
  const n = outputs.length / width;
  let total = 0;
  for (let u = 0; u < width; u++) {
    const column = Float32Array.from({ length: n }, (_, i) => outputs[i * width + u] ?? 0);
    total += summarize(column).std;
  }
  return width ? total / width : 0;
}

/** Longest run of equal consecutive values. */
export function longestRun(values: ArrayLike<number>): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < values.length; i++) {
    run = i > 0 && values[i] === values[i - 1] ? run + 1 : 1;
    best = Math.max(best, run);
  }
  return best;
}
