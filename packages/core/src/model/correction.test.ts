import { describe, expect, it } from "vitest";
import {
  CORRECTION_RANGE,
  CORRECTION_RUNS_PER_JOB,
  correctionFor,
  correctionOf,
  DATASET_KEY_MAX_LENGTH,
  datasetKey,
  SpeedCorrection,
  trainingRatio,
  type TimedTraining,
} from "./correction";
import { trainingSeconds, WARM_TRAINING_OVERHEAD_SECONDS } from "./estimate";

// 30 G/s on products plus 2 ms a step; an MNIST-sized model on 4,800 + 1,200 examples, batch 128 (38 steps), 3 epochs.
const speed = { gflops: 30, stepSeconds: 0.002 };
const work = { train: 4_800, evaluate: 1_200, batchSize: 128 };
const flops = 3 * (784 * 128 + 128 * 10);
const charged = (epochs: number, predicted = 0) => trainingSeconds({ trainingFlopsPerExample: flops, work, epochs, predicted }, speed);

/** A training of job `job` on `dataset` that took `factor` × what the estimates charge it. */
const timed = (factor: number, job = "job-1", dataset = "mnist", epochs = 3): TimedTraining => ({
  dataset,
  job,
  trainingFlopsPerExample: flops,
  work,
  epochs,
  predicted: 0,
  wallSeconds: factor * charged(epochs),
});

/** `count` trainings of one job, all at `factor`. */
const job = (correction: SpeedCorrection, id: string, factor: number, count = 3, dataset = "mnist") => {
  for (let i = 0; i < count; i++) correction.observe(timed(factor, id, dataset), speed);
};

describe("trainingRatio", () => {
  it("is a whole training's wall time over what the estimates charge it: a warm child's fixed cost, its epochs, its prediction", () => {
    const epoch = 38 * 0.002 + (flops * (4_800 + 400)) / 30e9;
    expect(charged(3)).toBeCloseTo(WARM_TRAINING_OVERHEAD_SECONDS + 3 * epoch, 12);
    // A final model predicting 10,000 test inputs pays their forward pass on top.
    expect(charged(3, 10_000) - charged(3)).toBeCloseTo((flops * 10_000) / 3 / 30e9, 12);
    expect(trainingRatio(timed(1.25), speed)).toBeCloseTo(1.25, 12);
    const final = { ...timed(1), predicted: 10_000, wallSeconds: 0.8 * charged(3, 10_000) };
    expect(trainingRatio(final, speed)).toBeCloseTo(0.8, 12);
  });

  it("counts the epochs the training ran, not the ones it asked for (early stopping)", () => {
    expect(trainingRatio({ ...timed(1), epochs: 1, wallSeconds: charged(1) }, speed)).toBeCloseTo(1, 12);
  });

  it.each([
    ["no epoch", { ...timed(1), epochs: 0 }],
    ["a non-finite time", { ...timed(1), wallSeconds: Number.NaN }],
    ["a negative time", { ...timed(1), wallSeconds: -1 }],
  ])("says nothing for %s", (_case, run) => {
    expect(trainingRatio(run, speed)).toBeNull();
  });
});

describe("correctionOf", () => {
  it.each([
    ["no job yet", [], null],
    ["one job of one training", [[1.3]], 1.3],
    ["one job: the median of its trainings", [[1.3, 1.1, 9]], 1.3],
    ["jobs count once each, however many trainings they ran", [[1.1, 1.1, 1.1, 1.1, 1.1, 1.1, 1.1], [5], [1.2]], 1.2],
    ["an even count of jobs: the mean of the middle two", [[1.4], [1.0], [1.2], [0.1]], 1.1],
    ["a grader far slower than calibrated: the upper bound", [[4], [6], [5]], CORRECTION_RANGE.max],
    ["a grader far faster than calibrated: the lower bound", [[0.2], [0.3]], CORRECTION_RANGE.min],
  ] as const)("%s", (_case, jobs, expected) => {
    const value = correctionOf(jobs);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 12);
  });
});

describe("SpeedCorrection", () => {
  it("counts a job once: one slow search of many trainings does not become the correction", () => {
    const correction = new SpeedCorrection(5);
    expect(correction.value()).toBeNull();
    for (const id of ["a", "b", "c", "d"]) job(correction, id, 1.2, 3);
    // A search of 11 trainings, all 1.7× slow (a busy moment): 11 of the last 23 trainings, 1 of 5 jobs.
    job(correction, "slow search", 1.7, 11);
    expect(correction.count).toBe(23);
    expect(correction.value()).toBeCloseTo(1.2, 9);
    // The machine gets slower: once most of the last 5 jobs say so, so does the correction.
    for (const id of ["e", "f"]) job(correction, id, 1.6, 2);
    expect(correction.value()).toBeCloseTo(1.6, 9);
    // Only the last 5 jobs count: c, d, the slow search, e, f.
    expect(correction.count).toBe(3 + 3 + 11 + 2 + 2);
  });

  it("keeps a job's odd training (a cold child) from moving its job's ratio", () => {
    const correction = new SpeedCorrection();
    correction.observe(timed(3, "search"), speed);
    for (let i = 0; i < 4; i++) correction.observe(timed(1.1, "search"), speed);
    expect(correction.value()).toBeCloseTo(1.1, 9);
  });

  it("keeps two jobs running at once apart", () => {
    const correction = new SpeedCorrection();
    for (let i = 0; i < 4; i++) {
      correction.observe(timed(1.0, "first"), speed);
      correction.observe(timed(1.4, "second"), speed);
    }
    correction.observe(timed(1.2, "third"), speed);
    // Three jobs, 1.0, 1.4 and 1.2: their median, whichever order their trainings came in.
    expect(correction.value()).toBeCloseTo(1.2, 9);
    job(correction, "fourth", 1.3, 1);
    expect(correction.value()).toBeCloseTo(1.25, 9);
  });

  it("ignores a training that says nothing", () => {
    const correction = new SpeedCorrection();
    expect(correction.observe({ ...timed(1), epochs: 0 }, speed)).toBeNull();
    expect(correction.count).toBe(0);
    expect(correction.value()).toBeNull();
    expect(correction.published).toEqual({ all: null, byDataset: {} });
  });

  it("gives two datasets with opposite errors each their own factor, where one factor over both would miss both", () => {
    const correction = new SpeedCorrection(6);
    // MNIST's trainings take 1.12× what they are charged, IMDB's 0.77×, in turns.
    for (let i = 0; i < 3; i++) {
      job(correction, `mnist-${i}`, 1.12, 3, "mnist");
      job(correction, `imdb-${i}`, 0.77, 3, "imdb");
    }
    expect(correction.value("mnist")).toBeCloseTo(1.12, 9);
    expect(correction.value("imdb")).toBeCloseTo(0.77, 9);
    // The overall figure is the median of the six jobs, halfway between the two.
    expect(correction.count).toBe(18);
    expect(correction.value()).toBeCloseTo((1.12 + 0.77) / 2, 9);
    const { all, byDataset } = correction.published;
    expect(all).toBeCloseTo(0.945, 9);
    expect(Object.keys(byDataset).sort()).toEqual(["imdb", "mnist"]);
    expect(byDataset.mnist).toBeCloseTo(1.12, 9);
    expect(byDataset.imdb).toBeCloseTo(0.77, 9);
  });

  it("falls back to the figure over all datasets for a dataset it has not trained on", () => {
    const correction = new SpeedCorrection();
    for (const [id, factor] of [
      ["a", 1.1],
      ["b", 1.2],
      ["c", 1.3],
    ] as const)
      job(correction, id, factor, 2, "mnist");
    job(correction, "d", 0.6, 2, "imdb");
    expect(correction.value("csv:course-1:data/loans.csv")).toBeCloseTo((1.1 + 1.2) / 2, 9);
    expect(correction.value("csv:course-1:data/loans.csv")).toBe(correction.value());
    expect(correction.published.byDataset).not.toHaveProperty("csv:course-1:data/loans.csv");
  });

  it("keeps the last jobs of each dataset apart: many jobs on one do not age out another's", () => {
    const correction = new SpeedCorrection(3);
    job(correction, "imdb-0", 0.8, 2, "imdb");
    for (let i = 0; i < 10; i++) job(correction, `mnist-${i}`, 1.4, 2, "mnist");
    expect(correction.count).toBe(6);
    expect(correction.value()).toBeCloseTo(1.4, 9);
    expect(correction.value("imdb")).toBeCloseTo(0.8, 9);
    // Each dataset's own window is its last 3 jobs too.
    for (const id of ["imdb-1", "imdb-2", "imdb-3"]) job(correction, id, 2, 1, "imdb");
    expect(correction.value("imdb")).toBeCloseTo(2, 9);
  });

  it("bounds what it keeps of one job to its last trainings", () => {
    const correction = new SpeedCorrection();
    job(correction, "huge", 3, CORRECTION_RUNS_PER_JOB);
    job(correction, "huge", 1.1, CORRECTION_RUNS_PER_JOB);
    expect(correction.count).toBe(CORRECTION_RUNS_PER_JOB);
    expect(correction.value()).toBeCloseTo(1.1, 9);
  });

  it("keeps the datasets it trained on most recently, evicting the least recent", () => {
    const correction = new SpeedCorrection(5, 3);
    for (const [dataset, factor] of [
      ["a", 1.1],
      ["b", 1.2],
      ["c", 1.3],
      ["a", 1.1], // a is recent again: b is now the least recent
      ["d", 1.4],
    ] as const)
      job(correction, `${dataset}-${factor}-${correction.count}`, factor, 1, dataset);
    expect(Object.keys(correction.published.byDataset)).toEqual(["c", "a", "d"]);
    // An evicted dataset falls back to the overall figure, which still counts its job.
    expect(correction.count).toBe(5);
    expect(correction.value("b")).toBe(correction.value());
    expect(correction.value("b")).toBeCloseTo(1.2, 9);
  });

  it("clamps each dataset's factor and the overall one to the range", () => {
    const correction = new SpeedCorrection();
    for (let i = 0; i < 3; i++) {
      job(correction, `slow-${i}`, 8, 1, "slow");
      job(correction, `fast-${i}`, 0.1, 1, "fast");
    }
    job(correction, "slow-3", 9, 1, "slow");
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
