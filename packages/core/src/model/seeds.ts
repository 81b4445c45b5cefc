import { isObject, type Json, type JsonObject } from "./json";

/** Initializer classes whose config takes a `seed` (after parseModelSpec's normalization and before). */
const SEEDED = new Set([
  "VarianceScaling",
  "RandomNormal",
  "RandomUniform",
  "TruncatedNormal",
  "Orthogonal",
  "GlorotUniform",
  "GlorotNormal",
  "HeNormal",
  "HeUniform",
  "LeCunNormal",
  "LeCunUniform",
]);

/** A distinct seed in [1, 2³¹−1] for the i-th initializer; never 0, which TF.js normal initializers ignore. */
export function deriveSeed(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) % 0x7fffffff || 1;
}

/**
 * Returns a copy of the topology with a seed in every initializer that accepts one, numbered in
 * document order, so the same topology and seed always give the same initial weights.
 */
export function withSeeds(topology: JsonObject, seed: number): JsonObject {
  const copy = structuredClone(topology);
  let index = 0;
  const stack: Json[] = [copy];
  const order: JsonObject[] = [];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i] ?? null);
    } else if (isObject(value)) {
      if (typeof value.class_name === "string" && SEEDED.has(value.class_name) && isObject(value.config)) order.push(value.config);
      const keys = Object.keys(value).sort().reverse();
      for (const key of keys) stack.push(value[key] ?? null);
    }
  }
  for (const config of order) config.seed = deriveSeed(seed, index++);
  return copy;
}
