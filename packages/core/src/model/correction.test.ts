import { describe, expect, it } from "vitest";
import {
  CORRECTION_RANGE,
  correctionFor,
  correctionOf,
  DATASET_KEY_MAX_LENGTH,
  datasetKey,
  SpeedCorrection,
  trainingRatio,
  type TimedTraining,
} from "./correction";
import { epochSeconds } from "./estimate";

// 30 G/s on products plus 2 ms a step; an MNIST-sized model on 4,800 + 1,200 examples, batch 128 (38 steps).
const speed = { gflops: 30, stepSeconds: 0.002 };
const work = { train: 4_800, evaluate: 1_200, batchSize: 128 };
const flops = 3 * (784 * 128 + 128 * 10);
const predicted = epochSeconds(flops, work, speed);

/** A training whose steady epochs took `factor` × the prediction; its first epoch `first` × (compilation, a warm child's start). */
const timed = (factor: number, epochs = 3, first = 4, dataset = "mnist"): TimedTraining => ({
  dataset,
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
    expect(correction.value()).toBeNull();
    for (const factor of [1.2, 1.2, 1.2, 1.2]) correction.observe(timed(factor), speed);
    // A run stalled 10×: the median stays where the machine is.
    expect(correction.observe(timed(10), speed)).toBeCloseTo(10, 9);
    expect(correction.count).toBe(5);
    expect(correction.value()).toBeCloseTo(1.2, 9);
    // The machine gets slower: once most of the last 5 runs say so, so does the correction.
    for (const factor of [1.6, 1.6, 1.6]) correction.observe(timed(factor), speed);
    expect(correction.count).toBe(5);
    expect(correction.value()).toBeCloseTo(1.6, 9);
  });

  it("ignores a training that says nothing", () => {
    const correction = new SpeedCorrection();
    expect(correction.observe({ ...timed(1), epochSeconds: [] }, speed)).toBeNull();
    expect(correction.count).toBe(0);
    expect(correction.value()).toBeNull();
    expect(correction.published).toEqual({ all: null, byDataset: {} });
  });

  it("gives two datasets with opposite errors each their own factor, where one factor over both would miss both", () => {
    const correction = new SpeedCorrection();
    // MNIST's epochs take 1.12× the prediction, IMDB's 0.77×, trained in turns.
    for (let i = 0; i < 6; i++) {
      correction.observe(timed(1.12, 3, 4, "mnist"), speed);
      correction.observe(timed(0.77, 3, 4, "imdb"), speed);
    }
    expect(correction.value("mnist")).toBeCloseTo(1.12, 9);
    expect(correction.value("imdb")).toBeCloseTo(0.77, 9);
    // The overall figure is the old single factor: the median of twelve, halfway between the two.
    expect(correction.count).toBe(12);
    expect(correction.value()).toBeCloseTo((1.12 + 0.77) / 2, 9);
    const { all, byDataset } = correction.published;
    expect(all).toBeCloseTo(0.945, 9);
    expect(Object.keys(byDataset).sort()).toEqual(["imdb", "mnist"]);
    expect(byDataset.mnist).toBeCloseTo(1.12, 9);
    expect(byDataset.imdb).toBeCloseTo(0.77, 9);
  });

  it("falls back to the figure over all datasets for a dataset it has not trained on", () => {
    const correction = new SpeedCorrection();
    for (const factor of [1.1, 1.2, 1.3]) correction.observe(timed(factor, 3, 4, "mnist"), speed);
    correction.observe(timed(0.6, 3, 4, "imdb"), speed);
    expect(correction.value("csv:course-1:data/loans.csv")).toBeCloseTo((1.1 + 1.2) / 2, 9);
    expect(correction.value("csv:course-1:data/loans.csv")).toBe(correction.value());
    expect(correction.published.byDataset).not.toHaveProperty("csv:course-1:data/loans.csv");
  });

  it("keeps the last runs of each dataset apart: many trainings on one do not age out another's", () => {
    const correction = new SpeedCorrection(3);
    correction.observe(timed(0.8, 3, 4, "imdb"), speed);
    for (let i = 0; i < 10; i++) correction.observe(timed(1.4, 3, 4, "mnist"), speed);
    expect(correction.count).toBe(3);
    expect(correction.value()).toBeCloseTo(1.4, 9);
    expect(correction.value("imdb")).toBeCloseTo(0.8, 9);
    // Each dataset's own window is the last 3 too.
    for (const factor of [2, 2, 2]) correction.observe(timed(factor, 3, 4, "imdb"), speed);
    expect(correction.value("imdb")).toBeCloseTo(2, 9);
  });

  it("keeps the datasets it trained on most recently, evicting the least recent", () => {
    const correction = new SpeedCorrection(15, 3);
    for (const [dataset, factor] of [
      ["a", 1.1],
      ["b", 1.2],
      ["c", 1.3],
      ["a", 1.1], // a is recent again: b is now the least recent
      ["d", 1.4],
    ] as const)
      correction.observe(timed(factor, 3, 4, dataset), speed);
    expect(Object.keys(correction.published.byDataset)).toEqual(["c", "a", "d"]);
    // An evicted dataset falls back to the overall figure, which still counts its run.
    expect(correction.count).toBe(5);
    expect(correction.value("b")).toBe(correction.value());
    expect(correction.value("b")).toBeCloseTo(1.2, 9);
  });

  it("clamps each dataset's factor and the overall one to the range", () => {
    const correction = new SpeedCorrection();
    for (let i = 0; i < 3; i++) {
      correction.observe(timed(8, 3, 4, "slow"), speed);
      correction.observe(timed(0.1, 3, 4, "fast"), speed);
    }
    correction.observe(timed(9, 3, 4, "slow"), speed);
    expect(correction.published).toEqual({
      all: CORRECTION_RANGE.max,
      byDataset: { slow: CORRECTION_RANGE.max, fast: CORRECTION_RANGE.min },
    });
    expect(correction.value("fast")).toBe(CORRECTION_RANGE.min);
  });
});

describe("correctionFor", () => {
  it.each([
    ["the dataset's own", { all: 1.1, byDataset: { mnist: 1.12, imdb: 0.77 } }, "imdb", 0.77],
    ["the overall figure for a dataset without one", { all: 1.1, byDataset: { mnist: 1.12 } }, "imdb", 1.1],
    ["the overall figure from a grader that publishes none per dataset", { all: 1.3 }, "mnist", 1.3],
    ["nothing before any training", { all: null, byDataset: {} }, "mnist", null],
    ["nothing for an inherited name", { byDataset: { mnist: 1.2 } }, "constructor", null],
  ] as const)("%s", (_case, published, dataset, expected) => {
    expect(correctionFor(published, dataset)).toBe(expected);
  });
});

describe("datasetKey", () => {
  it.each([
    ["MNIST", { kind: "mnist" }, "mnist"],
    ["IMDB, whatever its vocabulary", { kind: "imdb", vocabularySize: 5_000 }, "imdb"],
    ["a course's CSV table", { kind: "csv", file: "data/loans.csv" }, "csv:course-1:data/loans.csv"],
  ] as const)("%s", (_case, dataset, expected) => {
    expect(datasetKey(dataset, "course-1")).toBe(expected);
  });

  it("tells two courses' tables of the same name apart", () => {
    expect(datasetKey({ kind: "csv", file: "data/loans.csv" }, "a")).not.toBe(datasetKey({ kind: "csv", file: "data/loans.csv" }, "b"));
  });

  it("bounds a long name, keeping long names that differ apart", () => {
    const long = (tail: string) => datasetKey({ kind: "csv", file: `${"deep/".repeat(40)}${tail}.csv` }, "course-1");
    expect(long("a")).toHaveLength(DATASET_KEY_MAX_LENGTH);
    expect(long("a")).toMatch(/^csv:course-1:deep\/.*#[0-9a-f]{8}$/);
    expect(long("a")).not.toBe(long("b"));
    expect(long("a")).toBe(long("a"));
  });
});
