import { ValidationError } from "../contracts/errors";

/**
 * A small seeded PRNG. Shuffling, splits and subsets must be reproducible from a recorded seed,
 * so nothing in the data or training path may use `Math.random`.
 */
export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** Uniform integer in [0, maxExclusive), without modulo bias. `maxExclusive` in 1..2^32. */
  nextInt(maxExclusive: number): number;
}

const TWO_32 = 4294967296;

/** Checks a seed is a safe integer (any sign); it is folded to 32 bits by the generator. */
export function assertSeed(seed: number, name = "seed"): void {
  if (!Number.isSafeInteger(seed)) {
    throw new ValidationError(`\`${name}\` must be a safe integer, got ${String(seed)}`, name);
  }
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through splitmix32.
 * Chosen over mulberry32 because mulberry32 cannot emit about a third of all 32-bit values;
 * sfc32 passes PractRand and is just as cheap in 32-bit JS arithmetic.
 */
export function createRng(seed: number): Rng {
  assertSeed(seed);
  // Fold the high bits in too, so seeds that differ only above bit 31 still differ.
  let sm = (seed ^ Math.floor(seed / TWO_32)) >>> 0;
  const splitmix = (): number => {
    sm = (sm + 0x9e3779b9) >>> 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = 1;
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs are still correlated with the seed; the reference implementation skips 12.
  for (let i = 0; i < 12; i++) nextUint32();
  return {
    nextUint32,
    next: () => nextUint32() / TWO_32,
    nextInt(maxExclusive: number): number {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_32) {
        throw new ValidationError(`nextInt bound must be an integer in 1..2^32, got ${String(maxExclusive)}`);
      }
      // Rejection sampling: values at or above the largest multiple of the bound would bias small results.
      const limit = TWO_32 - (TWO_32 % maxExclusive);
      for (;;) {
        const x = nextUint32();
        if (x < limit) return x % maxExclusive;
      }
    },
  };
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [index: number]: unknown }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A uniformly random permutation of 0..n-1. */
export function permutation(n: number, seedOrRng: number | Rng): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`permutation size must be a non-negative integer, got ${String(n)}`);
  const rng = typeof seedOrRng === "number" ? createRng(seedOrRng) : seedOrRng;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return shuffleInPlace(out, rng);
}
