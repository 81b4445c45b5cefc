import { ValidationError } from "../contracts/errors";
import { permutation } from "./random";

export interface SplitOptions {
  /** Fraction of examples for validation, in [0, 1). */
  validationFraction: number;
  /** Fraction for test, in [0, 1); validation + test must leave at least one training example. */
  testFraction?: number;
  seed: number;
}

/**
 * The seed a CSV dataset's hidden test split is drawn with. It belongs to the dataset, never to an
 * assignment: an assignment's seed only shuffles, slices and splits the training rows, so two
 * assignments with different seeds (or one whose seed is edited) can never serve one's test rows as
 * the other's training rows. Built-in tables are split with it, and an upload stores it as its own
 * (`datasets.split_seed`). It is the seed every exercise used before splits were fixed, so the rows
 * students had already trained on under the default seed stayed training rows.
 */
export const CSV_SPLIT_SEED = 1337;

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

export interface Fold {
  /** Positions (into the indexed set) the fold's model trains on. */
  train: Int32Array;
  /** Positions it is validated on: disjoint from `train`; the K validation parts partition 0..n-1. */
  validation: Int32Array;
}

/**
 * K-fold cross-validation over 0..n-1: one seeded permutation cut into K parts of ⌊n/K⌋ or ⌈n/K⌉;
 * fold k validates on part k and trains on the others. Every example is validated exactly once.
 * Indices are sorted ascending (reading order); shuffling is the harness's job.
 */
export function kFoldIndices(n: number, k: number, seed: number): Fold[] {
  if (!Number.isInteger(k) || k < 2) throw new ValidationError(`K-fold needs an integer number of folds ≥ 2, got ${String(k)}`, "folds");
  if (!Number.isInteger(n) || n < k)
    throw new ValidationError(`K-fold with ${k} folds needs at least ${k} examples, got ${String(n)}`, "folds");
  const order = permutation(n, seed);
  const bounds = Array.from({ length: k + 1 }, (_, i) => Math.round((i * n) / k));
  return Array.from({ length: k }, (_, fold) => {
    const start = bounds[fold] ?? 0;
    const end = bounds[fold + 1] ?? n;
    const train = new Int32Array(n - (end - start));
    train.set(order.subarray(0, start), 0);
    train.set(order.subarray(end), start);
    return { train: train.sort(), validation: order.slice(start, end).sort() };
  });
}
