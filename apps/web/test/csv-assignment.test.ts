import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CSV_SPLIT_SEED, splitIndices } from "@stepwise/core/datasets";
import { assignmentById, createDataset, type Assignment } from "@stepwise/db";
import { builtInDataDir } from "@stepwise/exercises/answers";
import { csvGrading } from "@stepwise/exercises/grading";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePreview } from "../src/lib/preview-format";
import { PREVIEW_COUNTS } from "../src/server/datasets";
import { handlePreviewRequest } from "../src/server/preview-http";
import { sessionCookieHeader, testConfig, world, type World } from "./helpers";

/**
 * An assignment placed on a CSV uploaded to the course: the instructor's override is validated, and
 * every student-facing view (exercise, data facts, preview bytes) describes the uploaded table —
 * from its training rows only.
 */
const houses = readFileSync(join(builtInDataDir, "house-prices.csv"), "utf8");
// 600 rows of the built-in table with its columns reordered: a table the built-in exercise never saw.
const lines = houses.trim().split("\n").slice(0, 601);
// A listing number makes every row unique, so "no test row is served" can be checked row by row.
const reorder = (line: string, i: number) => {
  const cells = line.split(",");
  return [cells[9], i === 0 ? "listing" : String(i), cells[0], cells[1], cells[2], cells[6], cells[7]].join(",");
};
const uploaded = `${lines.map(reorder).join("\n")}\n`; // price,listing,area_m2,rooms,year_built,type,neighbourhood
const FILE = "data/small-houses.csv";
const override = { dataset: { kind: "csv" as const, file: FILE, target: "price", task: "regression" as const } };

let w: World;
let assignment: Assignment;
beforeAll(async () => {
  w = await world();
  await createDataset(w.db, { courseId: w.courseId, file: FILE, csv: uploaded, createdBy: w.instructor.id }, w.clock.now());
  const created = await (
    await w.as(w.instructor)
  ).assignment.create({ courseId: w.courseId, exerciseId: "houses-beat-baseline", overrides: override });
  const row = await assignmentById(w.db, created.id);
  if (!row) throw new Error("the assignment was not stored");
  assignment = row;
});
afterAll(async () => {
  await w.cleanup();
});

describe("assignment.create with an uploaded CSV", () => {
  it.each([
    ["a target that is not a column", { ...override.dataset, target: "cost" }, /overrides\.dataset\.target/i],
    [
      "a file the course does not hold",
      { ...override.dataset, file: "data/other.csv" },
      /overrides\.dataset\.file: expected a CSV file in the course folder/i,
    ],
    [
      "an uploaded table on a step-1 exercise about MNIST",
      override.dataset,
      /overrides\.dataset\.kind: expected "mnist"/i,
      "mnist-define-problem",
    ],
  ])("refuses %s with a field error", async (_case, dataset, message, exerciseId = "houses-beat-baseline") => {
    const caller = await w.as(w.instructor);
    await expect(caller.assignment.create({ courseId: w.courseId, exerciseId, overrides: { dataset } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(message) as unknown,
    });
  });

  it("stores the override; the student's exercise follows it (metric from the task, built-in thresholds dropped)", async () => {
    expect(assignment.overrides).toEqual(override);
    const view = await (await w.as(w.student)).assignment.byId({ assignmentId: assignment.id });
    expect(view.exercise.dataset).toEqual(override.dataset);
    expect(view.exercise).toMatchObject({ metric: "mae", baseline: null, target: null });
  });

  it("gives the student a text, title and starter made from the uploaded table, not the built-in one", async () => {
    const { exercise } = await (await w.as(w.student)).assignment.byId({ assignmentId: assignment.id });
    const width = csvGrading(uploaded, override.dataset, { seed: 1337, slice: {} }).training.inputSize;
    expect(width).not.toBe(19);
    expect(exercise.starterCode).toContain(`inputShape: [${width}]`);
    expect(exercise.starterCode).toContain("dense({ units: 1 })");
    expect(exercise.starterTraining?.compile.loss).toBe("meanSquaredError");
    expect(exercise.title).toBe(`Step 5 — beat the baseline on ${FILE}`);
    expect(exercise.summary).toContain(`${FILE} holds 600 rows`);
    expect(exercise.summary).not.toMatch(/house-price table|2,500 house sales/);
  });

  it("is refused to students", async () => {
    await expect(
      (await w.as(w.student)).assignment.create({ courseId: w.courseId, exerciseId: "houses-beat-baseline", overrides: override }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("dataset.byAssignment on an uploaded CSV", () => {
  it("shows the uploaded table's facts from its training rows, never a test row", async () => {
    const view = await (await w.as(w.student)).dataset.byAssignment({ assignmentId: assignment.id });
    if (view.kind !== "csv" || !("preview" in view)) throw new Error(`expected CSV facts, got ${JSON.stringify(view).slice(0, 200)}`);
    expect(view).toMatchObject({ file: FILE, target: "price", origin: "uploaded", replaces: "the table house-prices.csv" });
    const { preview } = view;
    expect(preview).toMatchObject({ rows: 600, trainRows: 480, testRows: 120, task: "regression" });
    expect(preview.columns.map((c) => [c.name, c.kind])).toEqual([
      ["price", "target"],
      ["listing", "numeric"],
      ["area_m2", "numeric"],
      ["rooms", "numeric"],
      ["year_built", "numeric"],
      ["type", "categorical"],
      ["neighbourhood", "categorical"],
    ]);
    expect(preview.targetSummary?.min).toBeGreaterThan(0);
    // The sample rows are training rows: none of them is one of the seeded test rows.
    const grading = csvGrading(uploaded, override.dataset, { seed: 1337, slice: {} });
    // The dataset's fixed split (as `splitCsv` makes it): row i has listing i + 1.
    const testListings = new Set(
      Array.from(splitIndices(600, { validationFraction: 0, testFraction: 0.2, seed: CSV_SPLIT_SEED }).test, (i) => String(i + 1)),
    );
    expect(testListings.size).toBe(grading.facts.testSize);
    expect(preview.sample).toHaveLength(5);
    const rows = new Set(uploaded.trim().split("\n").slice(1));
    for (const row of preview.sample) {
      expect(rows.has(row.join(","))).toBe(true);
      expect(testListings.has(row[1] ?? "")).toBe(false);
    }
  });

  it("is for members of the course only", async () => {
    await expect((await w.as(w.outsider)).dataset.byAssignment({ assignmentId: assignment.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect((await w.as(null)).dataset.byAssignment({ assignmentId: assignment.id })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("GET /api/preview-data on an uploaded CSV", () => {
  const fetchPreview = async (who: World["student"] | null) =>
    handlePreviewRequest(
      new Request(`http://localhost/api/preview-data/${assignment.id}`, {
        headers: who ? { cookie: await sessionCookieHeader(await w.tokenFor(who)) } : {},
      }),
      {
        db: w.db,
        config: testConfig,
        assignmentId: assignment.id,
        now: w.clock.now,
      },
    );

  it("serves the training rows encoded exactly as the grader encodes them, and no test row", async () => {
    const res = await fetchPreview(w.student);
    expect(res.status).toBe(200);
    const data = decodePreview(await res.arrayBuffer());
    const grading = csvGrading(uploaded, override.dataset, { seed: 1337, slice: {} });
    const width = grading.training.inputSize;
    expect(data.header).toMatchObject({
      dataset: "csv",
      n: 480,
      naturalShape: [width],
      task: "regression",
      file: FILE,
      targetScale: grading.training.targetScale,
    });
    expect(480).toBeLessThan(PREVIEW_COUNTS.csv);
    const inputs = data.arrays.inputs;
    const labels = data.arrays.labels;
    if (!(inputs instanceof Float32Array) || !(labels instanceof Float32Array)) throw new Error("expected float32 inputs and labels");
    expect(Buffer.from(inputs.buffer, inputs.byteOffset, inputs.byteLength).equals(Buffer.from(grading.training.trainInputs.buffer))).toBe(
      true,
    );
    expect(Array.from(labels)).toEqual(Array.from(grading.training.trainLabels));
    // No served row equals any encoded test row.
    const served = new Set(Array.from({ length: data.header.n }, (_, r) => inputs.subarray(r * width, (r + 1) * width).join(",")));
    const test = grading.training.testInputs;
    for (let r = 0; r < test.length / width; r++) expect(served.has(test.subarray(r * width, (r + 1) * width).join(","))).toBe(false);
  });

  it("refuses callers outside the course", async () => {
    expect((await fetchPreview(null)).status).toBe(401);
    expect((await fetchPreview(w.outsider)).status).toBe(403);
  });
});

describe("a built-in CSV exercise", () => {
  it("shows the built-in table's class balance and serves its encoded training rows with class ids", async () => {
    const created = await (await w.as(w.instructor)).assignment.create({ courseId: w.courseId, exerciseId: "credit-beat-baseline" });
    const view = await (await w.as(w.student)).dataset.byAssignment({ assignmentId: created.id });
    if (view.kind !== "csv" || !("preview" in view)) throw new Error("expected CSV facts");
    expect(view).toMatchObject({ file: "credit-default.csv", origin: "built-in" });
    expect(view).not.toHaveProperty("replaces");
    expect(view.preview).toMatchObject({ rows: 2_000, trainRows: 1_600, testRows: 400, task: "binary" });
    expect(view.preview.classes?.reduce((a, c) => a + c.share, 0)).toBeCloseTo(1, 6);

    const res = await handlePreviewRequest(
      new Request(`http://localhost/api/preview-data/${created.id}`, {
        headers: { cookie: await sessionCookieHeader(await w.tokenFor(w.student)) },
      }),
      {
        db: w.db,
        config: testConfig,
        assignmentId: created.id,
        now: w.clock.now,
      },
    );
    const data = decodePreview(await res.arrayBuffer());
    expect(data.header).toMatchObject({ dataset: "csv", n: 1_600, naturalShape: [17], task: "binary", classes: ["0", "1"] });
    expect(data.arrays.labels).toBeInstanceOf(Uint32Array);
    expect(new Set(data.arrays.labels)).toEqual(new Set([0, 1]));
  });
});
