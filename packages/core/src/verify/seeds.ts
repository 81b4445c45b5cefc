import { StatsInputError, studentTQuantile } from "./stats";

export interface SeedAggregate {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 for a single run. */
  std: number;
  /**
   * One-sided confidence bounds on the mean: mean ∓ t(confidence, n − 1) · std / √n.
   * Undefined for a single run, where the spread between seeds is unknown.
   */
  lowerBound?: number;
  upperBound?: number;
  confidence: number;
}

/**
 * Aggregates one metric over runs with different seeds. With 3–5 seeds the normal quantile would
 * understate the uncertainty badly (t(0.95, 2) = 2.92 against 1.64), hence Student's t.
 */
export function aggregateSeeds(values: readonly number[], options: { confidence?: number } = {}): SeedAggregate {
  const { confidence = 0.95 } = options;
  if (values.length === 0) throw new StatsInputError("aggregating seeds needs at least 1 run, got 0");
  if (!(confidence > 0 && confidence < 1)) throw new StatsInputError(`confidence must be in (0, 1), got ${confidence}`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new StatsInputError(`run ${bad} must have a finite metric, got ${values[bad]}`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, std: 0, confidence };
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const margin = (studentTQuantile(confidence, n - 1) * std) / Math.sqrt(n);
  return { n, mean, std, lowerBound: mean - margin, upperBound: mean + margin, confidence };
}
