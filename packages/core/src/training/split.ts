import { mulberry32, range, shuffle } from "./rng";

/**
 * The validation split of `train` and `trainSteps`: a permutation of the `n` examples seeded with
 * `seed ^ 0x5eed`; its last `fraction` validates and the rest trains, each part in index order.
 * No split (`fraction` ≤ 0): every example trains.
 */
export function validationSplit(n: number, fraction: number, seed: number): { train: Int32Array; validation?: Int32Array } {
  if (fraction <= 0) return { train: range(n) };
  const order = shuffle(range(n), mulberry32(seed ^ 0x5eed));
  const cut = Math.round(order.length * (1 - fraction));
  return { train: order.slice(0, cut).sort(), validation: order.slice(cut).sort() };
}
