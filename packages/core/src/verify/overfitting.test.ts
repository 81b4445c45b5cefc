import { describe, expect, it } from "vitest";
import { curve } from "./curves.test-helpers";
import { detectOverfitting } from "./overfitting";
import { StatsInputError } from "./stats";

const falling = [1.0, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15];

describe("detectOverfitting", () => {
  it.each([
    ["classic U-shaped validation loss", falling, [0.9, 0.6, 0.5, 0.45, 0.5, 0.55, 0.6, 0.7], {}, 4, 4],
    ["exactly `patience` epochs above the minimum", falling.slice(0, 6), [0.9, 0.6, 0.5, 0.45, 0.5, 0.55], {}, 4, 2],
    ["a noisy rise that never returns to the minimum", falling, [0.9, 0.6, 0.45, 0.5, 0.47, 0.52, 0.49, 0.6], {}, 3, 5],
    [
      "a rise within tolerance elsewhere still counts the epochs above it",
      falling,
      [0.9, 0.6, 0.5, 0.4, 0.41, 0.5, 0.55, 0.6],
      { tolerance: 0.05 },
      4,
      3,
    ],
    ["patience 1", falling.slice(0, 5), [0.9, 0.6, 0.5, 0.4, 0.45], { patience: 1 }, 4, 1],
  ])("overfit: %s", (_name, loss, valLoss, options, bestEpoch, epochsAbove) => {
    const result = detectOverfitting(curve(loss, valLoss), options);
    expect(result).toMatchObject({ overfit: true, bestEpoch, epochsAbove });
    if (result.overfit) expect(result.evidence).toContain(`lowest at epoch ${bestEpoch}`);
  });

  it.each([
    ["validation loss still falling", falling, [0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4], {}, "still-improving"],
    ["a single-epoch bump", falling.slice(0, 6), [0.9, 0.6, 0.5, 0.45, 0.44, 0.46], {}, "rise-not-sustained"],
    ["a rise smaller than the tolerance", falling.slice(0, 6), [0.9, 0.6, 0.5, 0.4, 0.41, 0.41], { tolerance: 0.05 }, "rise-not-sustained"],
    ["a longer patience than the rise", falling.slice(0, 6), [0.9, 0.6, 0.5, 0.45, 0.5, 0.55], { patience: 3 }, "rise-not-sustained"],
    [
      "both losses rising (unstable, not overfitting)",
      [1.0, 0.6, 0.5, 0.6, 0.8, 0.9],
      [0.9, 0.6, 0.5, 0.6, 0.8, 0.9],
      {},
      "training-loss-not-falling",
    ],
    ["no validation split", falling, undefined, {}, "no-validation"],
    ["NaN losses", [1.0, Number.NaN, Number.NaN], [0.9, Number.NaN, Number.NaN], {}, "diverged"],
  ])("not overfit: %s", (_name, loss, valLoss, options, reason) => {
    const result = detectOverfitting(curve(loss, valLoss), options);
    expect(result).toMatchObject({ overfit: false, reason });
    if (!result.overfit) expect(result.advice.length).toBeGreaterThan(0);
  });

  it("'not yet' tells the student how to grow the model", () => {
    const result = detectOverfitting(curve([1, 0.8, 0.6], [0.9, 0.8, 0.7]));
    expect(result.overfit).toBe(false);
    if (!result.overfit) {
      expect(result.message).toContain("still falling at the last epoch (3");
      expect(result.advice.join(" ")).toMatch(/epochs/);
      expect(result.advice.join(" ")).toMatch(/units/);
      expect(result.advice.join(" ")).toMatch(/layer/);
    }
  });

  it("uses the history's own epoch numbers (1-based, gaps allowed)", () => {
    const history = curve(falling.slice(0, 5), [0.9, 0.6, 0.5, 0.55, 0.6]).map((row) => ({ ...row, epoch: row.epoch * 2 }));
    expect(detectOverfitting(history)).toMatchObject({ overfit: true, bestEpoch: 6 });
  });

  it.each([[{ patience: 0 }], [{ patience: 1.5 }], [{ tolerance: -0.1 }]])("rejects options %j", (options) => {
    expect(() => detectOverfitting(curve([1], [1]), options)).toThrow(StatsInputError);
  });
});
