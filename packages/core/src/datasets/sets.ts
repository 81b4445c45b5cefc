import { ValidationError } from "../contracts/errors";
import { createRng, permutation } from "./random";
import type { ExampleSet } from "./types";

/** Throws unless `out` can hold `count` rows and every index is a row of a set of size `n`. */
export function checkGather(name: string, n: number, inputSize: number, indices: ArrayLike<number>, out: Float32Array): void {
  const needed = indices.length * inputSize;
  if (out.length < needed) {
    throw new ValidationError(`${name}: output buffer must hold ${indices.length} × ${inputSize} = ${needed} floats, got ${out.length}`);
  }
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] ?? -1;
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new ValidationError(`${name}: example index must be an integer in 0..${n - 1}, got ${String(indices[i])}`);
    }
  }
}

/** An ExampleSet over a dense row-major Float32Array (CSV tables, small fixtures). */
export function denseSet(
  data: Float32Array,
  inputSize: number,
  options: { labels?: Int32Array | Float32Array; naturalShape?: readonly number[]; name?: string } = {},
): ExampleSet {
  const name = options.name ?? "dense set";
  if (!Number.isInteger(inputSize) || inputSize < 1 || data.length % inputSize !== 0) {
    throw new ValidationError(`${name}: data length ${data.length} is not a multiple of inputSize ${inputSize}`);
  }
  const n = data.length / inputSize;
  if (options.labels && options.labels.length !== n) {
    throw new ValidationError(`${name}: expected ${n} labels, got ${options.labels.length}`);
  }
  return {
    n,
    inputSize,
    naturalShape: options.naturalShape ?? [inputSize],
    ...(options.labels ? { labels: options.labels } : {}),
    gatherInputs(indices, out) {
      checkGather(name, n, inputSize, indices, out);
      for (let i = 0; i < indices.length; i++) {
        const start = (indices[i] ?? 0) * inputSize;
        out.set(data.subarray(start, start + inputSize), i * inputSize);
      }
    },
  };
}

/** Copies `labels[indices]` into a new array of the same type. */
export function gatherLabels<L extends Int32Array | Float32Array>(labels: L, indices: ArrayLike<number>): L {
  const out = (labels instanceof Int32Array ? new Int32Array(indices.length) : new Float32Array(indices.length)) as L;
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] ?? -1;
    const value = labels[index];
    if (value === undefined) throw new ValidationError(`label index must be in 0..${labels.length - 1}, got ${index}`);
    out[i] = value;
  }
  return out;
}

/**
 * A view of `set` restricted to `indices` (in that order). Inputs are not copied; labels are
 * gathered once because the harness reads them as one array.
 */
export function subset(set: ExampleSet, indices: ArrayLike<number>): ExampleSet {
  const map = Int32Array.from(indices);
  for (const index of map) {
    if (index < 0 || index >= set.n) throw new ValidationError(`subset: index must be in 0..${set.n - 1}, got ${index}`);
  }
  let scratch = new Int32Array(0);
  return {
    n: map.length,
    inputSize: set.inputSize,
    naturalShape: set.naturalShape,
    ...(set.labels ? { labels: gatherLabels(set.labels, map) } : {}),
    gatherInputs(indices, out) {
      if (scratch.length < indices.length) scratch = new Int32Array(indices.length);
      for (let i = 0; i < indices.length; i++) {
        const index = indices[i] ?? -1;
        const mapped = map[index];
        if (mapped === undefined) throw new ValidationError(`subset: example index must be in 0..${map.length - 1}, got ${index}`);
        scratch[i] = mapped;
      }
      set.gatherInputs(scratch.subarray(0, indices.length), out);
    },
  };
}

/**
 * The first `count` entries of a seeded permutation of 0..n-1, sorted ascending. Used to train
 * tests and CI on small but representative slices; `count ≥ n` returns every index.
 */
export function limitIndices(n: number, count: number, seed: number): Int32Array {
  if (!Number.isInteger(count) || count < 0) throw new ValidationError(`limit count must be a non-negative integer, got ${String(count)}`);
  if (count >= n) return Int32Array.from({ length: n }, (_, i) => i);
  return permutation(n, createRng(seed)).subarray(0, count).sort();
}

/** `subset(set, limitIndices(set.n, count, seed))`. */
export function limit(set: ExampleSet, count: number, seed: number): ExampleSet {
  return subset(set, limitIndices(set.n, count, seed));
}

/** Reads a whole ExampleSet into one dense array (small sets and tests only). */
export function materialize(set: ExampleSet): Float32Array {
  const out = new Float32Array(set.n * set.inputSize);
  set.gatherInputs(
    Int32Array.from({ length: set.n }, (_, i) => i),
    out,
  );
  return out;
}

/** Fraction of examples in each class 0..numClasses-1 (labels outside that range count in the total only). */
export function classBalance(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? -1;
    if (label >= 0 && label < numClasses) counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts.map((count) => (labels.length === 0 ? 0 : count / labels.length));
}
