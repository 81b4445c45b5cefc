import { describe, expect, it } from "vitest";
import { aggregateSeeds } from "./seeds";
import { StatsInputError } from "./stats";

describe("aggregateSeeds", () => {
  it("computes mean, sample std and a one-sided t bound", () => {
    // numpy: mean 0.9, std(ddof=1) 0.01; t.ppf(0.95, 2) = 2.919986
    const result = aggregateSeeds([0.89, 0.9, 0.91]);
    expect(result.n).toBe(3);
    expect(result.mean).toBeCloseTo(0.9, 12);
    expect(result.std).toBeCloseTo(0.01, 12);
    expect(result.lowerBound).toBeCloseTo(0.9 - (2.919986 * 0.01) / Math.sqrt(3), 6);
    expect(result.upperBound).toBeCloseTo(0.9 + (2.919986 * 0.01) / Math.sqrt(3), 6);
  });

  it.each([
    [[1, 2, 3, 4, 5], 0.9, 3 - (1.5332063 * Math.sqrt(2.5)) / Math.sqrt(5)],
    [[0.5, 0.5], 0.95, 0.5],
  ])("%j at %f → lower bound %f", (values, confidence, lower) => {
    expect(aggregateSeeds(values, { confidence }).lowerBound).toBeCloseTo(lower, 5);
  });

  it("gives no bound for a single run", () => {
    expect(aggregateSeeds([0.9])).toEqual({ n: 1, mean: 0.9, std: 0, confidence: 0.95 });
  });

  it.each([[[]], [[0.9, Number.NaN]], [[0.9, Infinity]]])("rejects %j", (values) => {
    expect(() => aggregateSeeds(values)).toThrow(StatsInputError);
  });
});
