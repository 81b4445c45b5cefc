import { describe, expect, it } from "vitest";
import { ValidationError } from "../contracts/errors";
import { kFoldIndices } from "./splits";

describe("kFoldIndices", () => {
  it.each([
    [10, 2],
    [103, 5],
    [1_600, 4],
    [7, 7],
  ])("n = %i, K = %i: validation parts are disjoint, cover every index once, and each fold trains on the rest", (n, k) => {
    const folds = kFoldIndices(n, k, 42);
    expect(folds).toHaveLength(k);
    const seen = new Int32Array(n);
    for (const { train, validation } of folds) {
      for (const i of validation) seen[i] = (seen[i] ?? 0) + 1;
      // Sizes differ by at most one between folds.
      expect(Math.abs(validation.length - n / k)).toBeLessThan(1);
      expect(train.length + validation.length).toBe(n);
      const held = new Set(validation);
      expect([...train].some((i) => held.has(i))).toBe(false);
      expect([...train]).toEqual([...train].sort((a, b) => a - b));
    }
    expect([...seen].every((count) => count === 1)).toBe(true);
  });

  it("is reproducible from its seed and differs between seeds", () => {
    expect(kFoldIndices(50, 5, 7)).toEqual(kFoldIndices(50, 5, 7));
    expect(kFoldIndices(50, 5, 7)[0]?.validation).not.toEqual(kFoldIndices(50, 5, 8)[0]?.validation);
  });

  it("shuffles: the first fold is not simply the first rows", () => {
    const first = kFoldIndices(100, 4, 1)[0]?.validation ?? new Int32Array(0);
    expect([...first]).not.toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it.each([
    [10, 1, /folds ≥ 2, got 1/],
    [3, 4, /needs at least 4 examples, got 3/],
  ])("rejects n = %i with K = %i", (n, k, message) => {
    expect(() => kFoldIndices(n, k, 1)).toThrow(ValidationError);
    expect(() => kFoldIndices(n, k, 1)).toThrow(message);
  });
});
