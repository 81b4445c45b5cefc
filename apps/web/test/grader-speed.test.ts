/**
 * Issue 3: the submit-time estimate uses the training speed the graders measured and published, the
 * slowest recent one, falling back to the configured figure, and says which figure it used.
 */
import { publishCalibration, submissionsFor, type GraderCalibration } from "@stepwise/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "../src/server/root";
import { SPEED_CACHE_MS, speedFigures, trainingSpeed } from "../src/server/services/grader-speed";
import { createContext } from "../src/server/trpc";
import { T0, testConfig, validPayload, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

const DAY = 24 * 3_600_000;

/** A config without `graderGflops` means "measured figure only"; 0 turns the time check off. */
const callerWith = async (graderGflops: number | undefined) =>
  createCaller(
    await createContext({
      db: w.db,
      config: graderGflops === undefined ? testConfig : { ...testConfig, graderGflops },
      now: w.clock.now,
      sessionToken: await w.tokenFor(w.student),
    }),
  );

const grader = (workerId: string, gflops: number, measuredAt = T0): GraderCalibration => ({
  workerId,
  host: "grader-host",
  backend: "wasm",
  gflops,
  measuredAt,
});

const submitted = () => submissionsFor(w.db, { assignmentId: w.assignment.id, userId: w.student.id });

/** The reference-sized Dense 784→32→10 at the starter settings: ~1.4 s at 8 GFLOPS, three hours at 0.001. */
const OVER_TIME = /training would take about [\d,.]+ seconds; this exercise allows 120 \([\d.]+× over\); estimated at /i;

describe("the submit-time time estimate", () => {
  it("uses a grader's published figure over the configured one: slow measured, refused, and says so", async () => {
    await publishCalibration(w.db, grader("slow:1", 0.002));
    const caller = await callerWith(8);
    const refusal = caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    await expect(refusal).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(OVER_TIME) as unknown });
    await expect(refusal).rejects.toMatchObject({
      message: expect.stringMatching(/estimated at 0\.002 GFLOPS effective, measured on the grader \(wasm\)\.$/) as unknown,
    });
    expect(await submitted()).toEqual([]);
  });

  it("the same model fits once a fast grader has measured, where the configured figure refused it", async () => {
    const caller = await callerWith(0.001);
    await expect(caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).rejects.toMatchObject({
      message: expect.stringMatching(
        /estimated at 0\.001 GFLOPS effective, the configured figure \(no grader has published a measurement in the last day\)\.$/,
      ) as unknown,
    });
    await publishCalibration(w.db, grader("fast:1", 8));
    // The figure is read at most once a minute: until then the configured one still applies.
    await expect(caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).rejects.toMatchObject({
      message: expect.stringMatching(/the configured figure/) as unknown,
    });
    w.clock.advance(SPEED_CACHE_MS);
    await expect(caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).resolves.toMatchObject({
      status: "queued",
    });
    expect(await submitted()).toHaveLength(1);
  });

  it.each([
    ["falls back to the configured figure when no grader has published", [], 8, "queued"],
    ["ignores a measurement older than a day", [grader("old:1", 0.002, T0 - DAY - 1)], 8, "queued"],
    [
      "uses the slowest of several recent graders",
      [grader("fast:1", 20), grader("slow:2", 0.002)],
      8,
      /measured on the slowest of 2 graders \(wasm\)\.$/,
    ],
    [
      "checks with a measured figure when none is configured",
      [grader("slow:1", 0.002)],
      undefined,
      /0\.002 GFLOPS effective, measured on the grader/,
    ],
    ["runs no time check without any figure", [], undefined, "queued"],
    ["runs no time check when turned off (0), whatever was measured", [grader("slow:1", 0.002)], 0, "queued"],
  ] as const)("%s", async (_case, published, configured, outcome) => {
    for (const row of published) await publishCalibration(w.db, row);
    const create = (await callerWith(configured)).submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    if (outcome === "queued") await expect(create).resolves.toMatchObject({ status: "queued" });
    else await expect(create).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(outcome) as unknown });
  });
});

describe("trainingSpeed", () => {
  it.each([
    ["nothing published, nothing configured", [], undefined, null],
    ["nothing published, 8 configured", [], 8, { gflops: 8, source: "configured" }],
    [
      "one grader",
      [grader("a:1", 9.84)],
      8,
      { gflops: 9.84, source: "measured", basis: "9.8 GFLOPS effective, measured on the grader (wasm)" },
    ],
    [
      "two graders",
      [grader("a:1", 12.3), grader("b:2", 7.46)],
      undefined,
      { gflops: 7.46, source: "measured", basis: "7.5 GFLOPS effective, measured on the slowest of 2 graders (wasm)" },
    ],
    [
      "a grader whose trainings taught it a correction: the training speed with it",
      [{ ...grader("a:1", 9), training: { gflops: 30, stepSeconds: 0.002 }, correction: 1.3 }],
      undefined,
      { gflops: 9, source: "measured", training: { gflops: 30, stepSeconds: 0.002 }, correction: 1.3 },
    ],
    [
      "a grader that learnt one per dataset: all of them",
      [{ ...grader("a:1", 9), training: { gflops: 30, stepSeconds: 0.002 }, correction: 1.3, corrections: { mnist: 1.1, imdb: 0.8 } }],
      undefined,
      { correction: 1.3, corrections: { mnist: 1.1, imdb: 0.8 } },
    ],
  ] as const)("%s", async (_case, published, configured, expected) => {
    for (const row of published) await publishCalibration(w.db, row);
    const speed = await trainingSpeed(w.db, { configured, now: T0 });
    if (expected === null) expect(speed).toBeNull();
    else expect(speed).toMatchObject(expected);
    // None published, none passed on.
    if (speed && !published.some((row) => "correction" in row)) expect(speed).not.toHaveProperty("correction");
  });
});

describe("speedFigures", () => {
  const ctx = () => ({ db: w.db, config: {}, now: w.clock.now });
  const onMnist = { courseId: "course-1", exerciseId: "mnist-regularize", overrides: {} };
  const onImdb = { courseId: "course-1", exerciseId: "imdb-regularize", overrides: {} };
  // A course's own table on a built-in CSV exercise: another course's table of the same name is another dataset.
  const onTable = (courseId: string) => ({
    courseId,
    exerciseId: "houses-beat-baseline",
    overrides: { dataset: { kind: "csv", file: "data/prices.csv", target: "price", task: "regression" } },
  });

  it.each([
    ["MNIST: its own", onMnist, 1.12],
    ["IMDB: its own, of the opposite sign", onImdb, 0.77],
    ["a course's table: its own", onTable("course-1"), 1.5],
    ["another course's table of the same name: the overall figure", onTable("course-2"), 0.95],
  ])("picks the correction of the assignment's dataset, %s", async (_case, assignment, expected) => {
    await publishCalibration(w.db, {
      ...grader("a:1", 9),
      training: { gflops: 30, stepSeconds: 0.002 },
      correction: 0.95,
      corrections: { mnist: 1.12, imdb: 0.77, "csv:course-1:data/prices.csv": 1.5 },
    });
    expect(await speedFigures(ctx(), assignment)).toEqual({
      gflops: 9,
      training: { gflops: 30, stepSeconds: 0.002 },
      correction: expected,
    });
  });

  it("passes on no correction from a grader that has not trained, and the overall one from a grader from before 0019", async () => {
    await publishCalibration(w.db, { ...grader("a:1", 9), training: { gflops: 30, stepSeconds: 0.002 } });
    expect((await speedFigures(ctx(), onImdb)).correction).toBeUndefined();
    await publishCalibration(w.db, { ...grader("a:1", 9), training: { gflops: 30, stepSeconds: 0.002 }, correction: 1.2 });
    w.clock.advance(SPEED_CACHE_MS);
    expect((await speedFigures(ctx(), onImdb)).correction).toBe(1.2);
  });
});
