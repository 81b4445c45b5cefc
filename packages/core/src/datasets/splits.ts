import { ValidationError } from "../contracts/errors";
import { permutation } from "./random";

export interface SplitOptions {
  /** Fraction of examples for validation, in [0, 1). */
  validationFraction: number;
  /** Fraction for test, in [0, 1); validation + test must leave at least one training example. */
  testFraction?: number;
  seed: number;
}

export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

function fraction(value: number | undefined, name: string): number {
  const v = value ?? 0;
  if (!Number.isFinite(v) || v < 0 || v >= 1) throw new ValidationError(`\`${name}\` must be in [0, 1), got ${String(value)}`, name);
  return v;
}

/**
 * Disjoint train / validation / test indices covering 0..n-1, from one seeded permutation:
 * test takes the first round(n·testFraction) entries, validation the next round(n·validationFraction),
 * train the rest. Each part is sorted ascending (reading order); shuffling is the harness's job.
 */
export function splitIndices(n: number, options: SplitOptions): SplitIndices {
  if (!Number.isInteger(n) || n < 1) throw new ValidationError(`split size must be a positive integer, got ${String(n)}`);
  const validationFraction = fraction(options.validationFraction, "validationFraction");
  const testFraction = fraction(options.testFraction, "testFraction");
  const testCount = Math.round(n * testFraction);
  const validationCount = Math.round(n * validationFraction);
  if (testCount + validationCount >= n) {
    throw new ValidationError(
      `validation (${validationCount}) + test (${testCount}) must leave at least one of ${n} examples for training`,
      "validationFraction",
    );
  }
  const order = permutation(n, options.seed);
  return {
    test: order.slice(0, testCount).sort(),
    validation: order.slice(testCount, testCount + validationCount).sort(),
    train: order.slice(testCount + validationCount).sort(),
  };
}
