import { describe, expect, it } from "vitest";
import { loadMnistSet } from "./mnist";
import { denseSet, limit, materialize } from "./sets";
import { applyStandardizer, fitStandardizer } from "./standardize";

describe("standardizer", () => {
  it("computes per-feature mean and population std, with std 1 for constant features", () => {
    // Feature 0: 1, 2, 3, 4 (mean 2.5, std √1.25); feature 1 constant 1e6 (large offset, zero spread).
    const set = denseSet(Float32Array.from([1, 1e6, 2, 1e6, 3, 1e6, 4, 1e6]), 2);
    const stats = fitStandardizer(set, { batchSize: 3 });
    expect(stats.mean[0]).toBeCloseTo(2.5, 6);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(1.25), 6);
    expect(stats.mean[1]).toBe(1e6);
    expect(stats.std[1]).toBe(1);
    const standardized = materialize(applyStandardizer(set, stats));
    expect(standardized[1]).toBe(0);
    expect(standardized[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25), 6);
  });

  it("is fitted on the training set only: shifting the test data changes nothing in the stats", () => {
    const mnist = loadMnistSet("train");
    const train = limit(mnist, 2000, 1);
    const stats = fitStandardizer(train);
    const test = materialize(limit(loadMnistSet("test"), 500, 2));
    const shiftedData = test.map((x) => x + 5);
    const shifted = denseSet(shiftedData, 784);
    // The standardized shifted test data sits ~5/std above the train mean: the shift is visible, not absorbed.
    const out = materialize(applyStandardizer(shifted, stats));
    const center = 14 * 28 + 14;
    const std = stats.std[center] ?? 1;
    expect(out[center]).toBeCloseTo(((test[center] ?? 0) + 5 - (stats.mean[center] ?? 0)) / std, 4);
    expect(fitStandardizer(train)).toEqual(stats);
    // Refitting on train+shifted-test would move the mean by about 5 × 500/2500 = 1: the check above would catch that leak.
    const leaked = fitStandardizer(denseSet(Float32Array.from([...materialize(train), ...shiftedData]), 784));
    expect(Math.abs((leaked.mean[center] ?? 0) - (stats.mean[center] ?? 0))).toBeGreaterThan(0.5);
  });

  it("standardized training data has mean 0 and std 1 on varying features", () => {
    const train = limit(loadMnistSet("train"), 1000, 3);
    const stats = fitStandardizer(train);
    const again = fitStandardizer(applyStandardizer(train, stats));
    const center = 14 * 28 + 14;
    expect(again.mean[center]).toBeCloseTo(0, 4);
    expect(again.std[center]).toBeCloseTo(1, 4);
    expect(applyStandardizer(train, stats).labels).toBe(train.labels);
  });
});
