export interface ValueStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  /** NaN or ±Infinity values. */
  nonFinite: number;
}

/**
 * Min, max, mean and (population) std of the finite values `visit` adds, each counted `weight`
 * times; non-finite values are only counted. The mean of no values is NaN.
 */
export function valueStats(visit: (add: (value: number, weight?: number) => void) => void): ValueStats {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  visit((v, weight = 1) => {
    if (!Number.isFinite(v)) {
      nonFinite += weight;
      return;
    }
    n += weight;
    sum += weight * v;
    sumSq += weight * v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  });
  const mean = n > 0 ? sum / n : Number.NaN;
  return { min, max, mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), nonFinite };
}
