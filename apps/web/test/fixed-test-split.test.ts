import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ExerciseDefinition } from "@stepwise/core/contracts";
import { CSV_SPLIT_SEED, splitIndices, unscaleTarget } from "@stepwise/core/datasets";
import { assignmentById, createDataset, datasetByFile, type CourseDatasetWithCsv } from "@stepwise/db";
import { findExercise, withOverrides } from "@stepwise/exercises";
import { answerFacts, builtInDataDir, loadCsvTraining, previewCsv, uploadedCsv } from "@stepwise/exercises/answers";
import { loadGradingData, loadTrainingData } from "@stepwise/exercises/grading";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePreview } from "../src/lib/preview-format";
import { csvPreviewData } from "../src/server/csv-datasets";
import { datasetView, PREVIEW_COUNTS } from "../src/server/datasets";
import { handlePreviewRequest } from "../src/server/preview-http";
import { sessionCookieHeader, testConfig, world, type World } from "./helpers";

/**
 * Regression: the hidden test split of an uploaded CSV was drawn with the assignment's seed, so two
 * assignments on one table with seeds 1337 and 42 served most of one's test rows, with labels, as the
 * other's training rows. The split now belongs to the dataset. Here the target is the row's own
 * listing number, so every label any path hands out names the row it came from.
 */
const houses = readFileSync(join(builtInDataDir, "house-prices.csv"), "utf8");
const lines = houses.trim().split("\n").slice(0, 601);
const csv = `${lines.map((line, i) => `${i === 0 ? "listing" : String(i)},${line}`).join("\n")}\n`;
const FILE = "data/listed-houses.csv";
const ref = { kind: "csv" as const, file: FILE, target: "listing", task: "regression" as const };
const SEEDS = [1337, 42, 7, 2024];

let w: World;
let dataset: CourseDatasetWithCsv;
let testListings: Set<number>;
const assignments: Array<{ id: string; seed: number; exercise: ExerciseDefinition }> = [];

beforeAll(async () => {
  w = await world();
  await createDataset(w.db, { courseId: w.courseId, file: FILE, csv, createdBy: w.instructor.id }, w.clock.now());
  const stored = await datasetByFile(w.db, w.courseId, FILE);
  if (!stored) throw new Error("the dataset was not stored");
  dataset = stored;
  // The dataset's test split, from its stored seed alone: row i holds listing i + 1.
  testListings = new Set(
    Array.from(splitIndices(600, { validationFraction: 0, testFraction: 0.2, seed: dataset.splitSeed }).test, (i) => i + 1),
  );
  const builtIn = findExercise("houses-beat-baseline");
  if (!builtIn) throw new Error("houses-beat-baseline is not a built-in exercise");
  for (const seed of SEEDS) {
    const created = await (
      await w.as(w.instructor)
    ).assignment.create({ courseId: w.courseId, exerciseId: "houses-beat-baseline", overrides: { dataset: ref, seed } });
    const row = await assignmentById(w.db, created.id);
    if (!row) throw new Error("the assignment was not stored");
    assignments.push({ id: row.id, seed, exercise: withOverrides(builtIn, row.overrides) });
  }
});
afterAll(async () => {
  await w.cleanup();
});

/** Listing numbers of standardized regression targets, back in the target's unit. */
const listingsOf = (labels: ArrayLike<number>, scale: { mean: number; std: number } | undefined): number[] => {
  if (!scale) throw new Error("expected a target scale for a regression table");
  return Array.from(labels, (z) => Math.round(unscaleTarget(z, scale)));
};
const leaked = (listings: Iterable<number>) => [...listings].filter((l) => testListings.has(l));

describe("an uploaded CSV's test split is fixed at upload", () => {
  it("is stored with the dataset: 120 of 600 rows, whatever seeds the assignments on it carry", () => {
    expect(dataset.splitSeed).toBe(CSV_SPLIT_SEED);
    expect(testListings.size).toBe(120);
    expect(new Set(assignments.map((a) => a.exercise.seed))).toEqual(new Set(SEEDS));
  });

  it.each(SEEDS)("grading with seed %i holds back exactly the dataset's test rows and trains on none of them", (seed) => {
    const grading = loadGradingData(ref, { seed, slice: {}, ...uploadedCsv(dataset) });
    // Regression test labels stay in the target's unit: each is a listing number.
    expect(new Set(Array.from(grading.testLabels, Math.round))).toEqual(testListings);
    const training = grading.csv?.training;
    expect(leaked(listingsOf(training?.trainLabels ?? [], training?.targetScale))).toEqual([]);
    expect(training?.trainLabels.length).toBe(480);
  });

  it.each(SEEDS)("a seeded training slice with seed %i, and what an experiment trains on, are training rows only", (seed) => {
    const grading = loadGradingData(ref, { seed, slice: { trainLimit: 200, testLimit: 10 }, ...uploadedCsv(dataset) });
    const training = grading.csv?.training;
    const slice = listingsOf(training?.trainLabels ?? [], training?.targetScale);
    expect(slice).toHaveLength(200);
    expect(leaked(slice)).toEqual([]);
    // Ten test rows, all of them the dataset's.
    expect(leaked(Array.from(grading.testLabels, Math.round))).toHaveLength(10);
    // An experiment (and a training child) trains on the examples loadTrainingData hands out of those rows.
    const { train } = loadTrainingData(ref, { seed, slice: { trainLimit: 200 }, ...(training ? { csv: training } : {}) });
    expect(train.n).toBe(200);
    expect(leaked(listingsOf(train.labels ?? [], training?.targetScale))).toEqual([]);
  });

  it("the facts samples and step 1–4 facts read training rows only", () => {
    const { train, test } = loadCsvTraining(ref, uploadedCsv(dataset));
    expect(leaked(Array.from(train, (i) => i + 1))).toEqual([]);
    expect(new Set(Array.from(test, (i) => i + 1))).toEqual(testListings);
    expect(answerFacts(ref, uploadedCsv(dataset)).trainSize).toBe(480);
    const preview = previewCsv(dataset.csv, {
      file: FILE,
      target: "listing",
      task: "regression",
      splitSeed: dataset.splitSeed,
      sampleRows: 480,
    });
    expect(preview.sample).toHaveLength(480);
    expect(leaked(preview.sample.map((row) => Number(row[0])))).toEqual([]);
  });

  it("every assignment's browser preview and data facts serve no test row", async () => {
    for (const { exercise } of assignments) {
      const data = csvPreviewData({ text: dataset.csv, splitSeed: dataset.splitSeed }, ref, exercise, PREVIEW_COUNTS.csv);
      const labels = listingsOf(data.arrays.labels as Float32Array, data.header.targetScale);
      expect(labels).toHaveLength(480);
      expect(leaked(labels)).toEqual([]);
      const view = await datasetView(w.db, w.courseId, exercise);
      if (view.kind !== "csv" || !("preview" in view)) throw new Error(`expected CSV facts, got ${JSON.stringify(view).slice(0, 200)}`);
      expect(view.preview.testRows).toBe(120);
      expect(leaked(view.preview.sample.map((row) => Number(row[0])))).toEqual([]);
    }
  });

  it("GET /api/preview-data serves no test row of the dataset to any assignment's students", async () => {
    const cookie = await sessionCookieHeader(await w.tokenFor(w.student));
    const served = new Set<number>();
    for (const { id } of assignments) {
      const res = await handlePreviewRequest(new Request(`http://localhost/api/preview-data/${id}`, { headers: { cookie } }), {
        db: w.db,
        config: testConfig,
        assignmentId: id,
        now: w.clock.now,
      });
      expect(res.status).toBe(200);
      const data = decodePreview(await res.arrayBuffer());
      const labels = data.arrays.labels;
      if (!(labels instanceof Float32Array)) throw new Error("expected float32 regression labels");
      for (const listing of listingsOf(labels, data.header.targetScale)) served.add(listing);
    }
    // Together the four assignments served every training row and not one test row.
    expect(served.size).toBe(480);
    expect(leaked(served)).toEqual([]);
  });
});
