import { describe, expect, it } from "vitest";
import { CORRECTION_RANGE, correctionOf, SpeedCorrection, trainingRatio, type TimedTraining } from "./correction";
import { epochSeconds } from "./estimate";

// 30 G/s on products plus 2 ms a step; an MNIST-sized model on 4,800 + 1,200 examples, batch 128 (38 steps).
const speed = { gflops: 30, stepSeconds: 0.002 };
const work = { train: 4_800, evaluate: 1_200, batchSize: 128 };
const flops = 3 * (784 * 128 + 128 * 10);
const predicted = epochSeconds(flops, work, speed);

/** A training whose steady epochs took `factor` × the prediction; its first epoch `first` × (compilation, a warm child's start). */
const timed = (factor: number, epochs = 3, first = 4): TimedTraining => ({
  trainingFlopsPerExample: flops,
  work,
  epochSeconds: Array.from({ length: epochs }, (_, i) => (i === 0 && epochs > 1 ? first : factor) * predicted),
});

describe("trainingRatio", () => {
  it("is measured over predicted seconds of the steady epochs, leaving out the first", () => {
    expect(predicted).toBeCloseTo(38 * 0.002 + (flops * (4_800 + 400)) / 30e9, 12);
    expect(trainingRatio(timed(1.25), speed)).toBeCloseTo(1.25, 12);
    // Steady epochs of 1.0 and 1.5 × the prediction: their mean.
    const uneven = { ...timed(1), epochSeconds: [9 * predicted, predicted, 1.5 * predicted] };
    expect(trainingRatio(uneven, speed)).toBeCloseTo(1.25, 12);
  });

  it("counts the first epoch when it is the only one", () => {
    expect(trainingRatio(timed(0.8, 1), speed)).toBeCloseTo(0.8, 12);
  });

  it.each([
    ["no epoch", { ...timed(1), epochSeconds: [] }],
    ["no work to predict", { ...timed(1), work: { train: 0, evaluate: 0, batchSize: 128 } }],
    ["a non-finite epoch", { ...timed(1), epochSeconds: [1, Number.NaN] }],
  ])("says nothing for %s", (_case, run) => {
    expect(trainingRatio(run, speed)).toBeNull();
  });
});

describe("correctionOf", () => {
  it.each([
    ["no training yet", [], null],
    ["one training", [1.3], 1.3],
    ["an odd count: the middle one", [1.1, 5, 1.2], 1.2],
    ["an even count: the mean of the middle two", [1.4, 1.0, 1.2, 0.1], 1.1],
    ["a grader far slower than calibrated: the upper bound", [4, 6, 5], CORRECTION_RANGE.max],
    ["a grader far faster than calibrated: the lower bound", [0.2, 0.3], CORRECTION_RANGE.min],
  ] as const)("%s", (_case, ratios, expected) => {
    expect(correctionOf(ratios)).toBe(expected);
  });
});

describe("SpeedCorrection", () => {
  it("follows the median of the last runs, so one stalled run does not move it and an old regime ages out", () => {
    const correction = new SpeedCorrection(5);
    expect(correction.value).toBeNull();
    for (const factor of [1.2, 1.2, 1.2, 1.2]) correction.observe(timed(factor), speed);
    // A run stalled 10×: the median stays where the machine is.
    expect(correction.observe(timed(10), speed)).toBeCloseTo(10, 9);
    expect(correction.count).toBe(5);
    expect(correction.value).toBeCloseTo(1.2, 9);
    // The machine gets slower: once most of the last 5 runs say so, so does the correction.
    for (const factor of [1.6, 1.6, 1.6]) correction.observe(timed(factor), speed);
    expect(correction.count).toBe(5);
    expect(correction.value).toBeCloseTo(1.6, 9);
  });

  it("ignores a training that says nothing", () => {
    const correction = new SpeedCorrection();
    expect(correction.observe({ ...timed(1), epochSeconds: [] }, speed)).toBeNull();
    expect(correction.count).toBe(0);
    expect(correction.value).toBeNull();
  });
});
