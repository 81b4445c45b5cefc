import { describe, expect, it } from "vitest";
import { ValidationError } from "../contracts/errors";
import { createRng, permutation } from "./random";
import { denseSet, limit, limitIndices, materialize, subset } from "./sets";
import { splitIndices } from "./splits";

describe("createRng", () => {
  it("repeats the same stream for the same seed and differs across seeds", () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(1)).not.toEqual(draw(1 + 2 ** 32));
  });

  it("is roughly uniform: 100k draws of nextInt(10) land within 3% of 10k per bucket", () => {
    const rng = createRng(7);
    const counts = new Int32Array(10);
    for (let i = 0; i < 100_000; i++) {
      const k = rng.nextInt(10);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(300);
    const floats = Array.from({ length: 1000 }, () => rng.next());
    expect(Math.min(...floats)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...floats)).toBeLessThan(1);
  });

  it.each([1.5, Number.NaN, 2 ** 60])("rejects seed %s", (seed) => {
    expect(() => createRng(seed)).toThrow(ValidationError);
  });
});

describe("permutation", () => {
  it("is a permutation of 0..n-1, deterministic per seed", () => {
    const p = permutation(1000, 3);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).toEqual(permutation(1000, 3));
    expect(p).not.toEqual(permutation(1000, 4));
    // Not the identity: a shuffle of 1000 items leaving the first 20 in place would be a bug.
    expect([...p.subarray(0, 20)]).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe("splitIndices", () => {
  it("gives disjoint parts covering 0..n-1 with the requested sizes, the same for the same seed", () => {
    const split = splitIndices(1000, { validationFraction: 0.2, testFraction: 0.1, seed: 11 });
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([700, 200, 100]);
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(splitIndices(1000, { validationFraction: 0.2, testFraction: 0.1, seed: 11 })).toEqual(split);
    expect(splitIndices(1000, { validationFraction: 0.2, testFraction: 0.1, seed: 12 }).test).not.toEqual(split.test);
  });

  it.each([
    [{ validationFraction: -0.1, seed: 1 }, "validationFraction"],
    [{ validationFraction: 1, seed: 1 }, "validationFraction"],
    [{ validationFraction: 0.5, testFraction: 0.5, seed: 1 }, "at least one"],
    [{ validationFraction: 0.2, seed: 0.5 }, "seed"],
  ])("rejects %o", (options, message) => {
    expect(() => splitIndices(10, options)).toThrow(message);
  });
});

describe("subset and limit", () => {
  const data = Float32Array.from({ length: 20 }, (_, i) => i); // 10 rows of 2
  const set = denseSet(data, 2, { labels: Int32Array.from({ length: 10 }, (_, i) => i % 3) });

  it("subset reads the mapped rows and gathers their labels", () => {
    const view = subset(set, [7, 2]);
    expect(view.n).toBe(2);
    expect([...materialize(view)]).toEqual([14, 15, 4, 5]);
    expect([...(view.labels ?? [])]).toEqual([1, 2]);
    expect(() => subset(set, [10])).toThrow("0..9");
    expect(() => view.gatherInputs([2], new Float32Array(2))).toThrow("0..1");
  });

  it("limit takes a deterministic sorted sample of distinct rows", () => {
    const indices = limitIndices(10_000, 50, 5);
    expect(indices).toEqual(limitIndices(10_000, 50, 5));
    expect(new Set(indices).size).toBe(50);
    expect([...indices]).toEqual([...indices].sort((a, b) => a - b));
    expect(limit(set, 4, 1).n).toBe(4);
    expect(limit(set, 100, 1).n).toBe(10);
  });
});
