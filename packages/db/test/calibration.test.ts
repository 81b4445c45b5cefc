import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@stepwise/core/contracts";
import {
  CALIBRATION_MAX_AGE_MS,
  latestCalibration,
  migrate,
  migrateTo,
  publishCalibration,
  withdrawCalibration,
  type GraderCalibration,
} from "../src/index";
import { openTestDb, testDialects } from "../src/testing";
import { useTestDb } from "./helpers";

const NOW = Date.UTC(2026, 2, 1, 12);
const HOUR = 3_600_000;

const measured = (workerId: string, gflops: number, agoMs = 0): GraderCalibration => ({
  workerId,
  host: `host-of-${workerId}`,
  backend: "wasm",
  gflops,
  measuredAt: NOW - agoMs,
});

describe.each(testDialects)("grader calibrations on %s", (dialect) => {
  const t = useTestDb(dialect, "each");

  it("has nothing before any grader publishes", async () => {
    expect(await latestCalibration(t().db, { now: NOW })).toBeNull();
  });

  it("gives back a published measurement whole, fractions included", async () => {
    const { db } = t();
    await publishCalibration(db, measured("a:1", 9.8765432));
    expect(await latestCalibration(db, { now: NOW })).toEqual({ ...measured("a:1", 9.8765432), graders: 1 });
  });

  it("gives back the measured training speed with it, and none for a grader that did not measure it", async () => {
    const { db } = t();
    await publishCalibration(db, { ...measured("new:1", 9), training: { gflops: 36.25, stepSeconds: 0.00231 } });
    await publishCalibration(db, measured("old:2", 12));
    expect(await latestCalibration(db, { now: NOW })).toEqual({
      ...measured("new:1", 9),
      training: { gflops: 36.25, stepSeconds: 0.00231 },
      graders: 2,
    });
    await withdrawCalibration(db, "new:1");
    const old = await latestCalibration(db, { now: NOW });
    expect(old).toEqual({ ...measured("old:2", 12), graders: 1 });
    expect(old).not.toHaveProperty("training");
    // A new measurement without it (a grader rolled back) clears the old one's.
    await publishCalibration(db, { ...measured("old:2", 12), training: { gflops: 30, stepSeconds: 0.002 } });
    await publishCalibration(db, measured("old:2", 11));
    expect(await latestCalibration(db, { now: NOW })).not.toHaveProperty("training");
  });

  it("gives back the correction its trainings taught it, none before, and clears it with a measurement without one", async () => {
    const { db } = t();
    const training = { gflops: 36.25, stepSeconds: 0.00231 };
    await publishCalibration(db, { ...measured("a:1", 9), training });
    expect(await latestCalibration(db, { now: NOW })).not.toHaveProperty("correction");
    await publishCalibration(db, { ...measured("a:1", 9), training, correction: 1.2345678 });
    expect(await latestCalibration(db, { now: NOW })).toEqual({ ...measured("a:1", 9), training, correction: 1.2345678, graders: 1 });
    await publishCalibration(db, { ...measured("a:1", 9), training });
    expect(await latestCalibration(db, { now: NOW })).not.toHaveProperty("correction");
  });

  it("gives back each dataset's correction with the overall one, and clears them with a measurement without", async () => {
    const { db } = t();
    const training = { gflops: 36.25, stepSeconds: 0.00231 };
    const corrections = { mnist: 1.1234567, imdb: 0.7712345, "csv:course-1:data/loans.csv": 1.5 };
    await publishCalibration(db, { ...measured("a:1", 9), training, correction: 0.95, corrections });
    expect(await latestCalibration(db, { now: NOW })).toEqual({
      ...measured("a:1", 9),
      training,
      correction: 0.95,
      corrections,
      graders: 1,
    });
    await publishCalibration(db, { ...measured("a:1", 9), training, correction: 0.95 });
    expect(await latestCalibration(db, { now: NOW })).not.toHaveProperty("corrections");
  });

  it.each([
    ["text that is not JSON", "{mnist: 1.2"],
    ["JSON of another shape", JSON.stringify([["mnist", 1.2]])],
    ["a factor out of range", JSON.stringify({ mnist: 1.2, imdb: -1 })],
    ["a factor that is not a number", JSON.stringify({ mnist: "1.2" })],
  ])("ignores stored per-dataset corrections that are %s, keeping the rest of the row", async (_case, stored) => {
    const { db } = t();
    await publishCalibration(db, { ...measured("a:1", 9), correction: 1.25, corrections: { mnist: 1.1 } });
    await db.kysely.updateTable("grader_calibrations").set({ speed_corrections: stored }).where("worker_id", "=", "a:1").execute();
    const read = await latestCalibration(db, { now: NOW });
    expect(read).toEqual({ ...measured("a:1", 9), correction: 1.25, graders: 1 });
    expect(read).not.toHaveProperty("corrections");
  });

  it("keeps one row per grader: a new measurement replaces the old one", async () => {
    const { db } = t();
    await publishCalibration(db, measured("a:1", 4, 2 * HOUR));
    await publishCalibration(db, { ...measured("a:1", 11), backend: "tensorflow" });
    expect(await latestCalibration(db, { now: NOW })).toMatchObject({
      workerId: "a:1",
      gflops: 11,
      backend: "tensorflow",
      measuredAt: NOW,
      graders: 1,
    });
  });

  it.each([
    [
      "the slowest recent grader",
      [
        ["a:1", 12, 0],
        ["b:2", 7.5, HOUR],
        ["c:3", 20, 5 * HOUR],
      ],
      { workerId: "b:2", gflops: 7.5, graders: 3 },
    ],
    [
      "the recent grader over a slower stale one",
      [
        ["a:1", 12, 0],
        ["old:9", 2, CALIBRATION_MAX_AGE_MS + 1],
      ],
      { workerId: "a:1", gflops: 12, graders: 1 },
    ],
    [
      "a grader measured exactly a day ago (still recent)",
      [
        ["a:1", 12, 0],
        ["b:2", 3, CALIBRATION_MAX_AGE_MS],
      ],
      { workerId: "b:2", gflops: 3, graders: 2 },
    ],
  ] as const)("chooses %s", async (_case, rows, expected) => {
    const { db } = t();
    for (const [id, gflops, ago] of rows) await publishCalibration(db, measured(id, gflops, ago));
    expect(await latestCalibration(db, { now: NOW })).toMatchObject(expected);
  });

  it("returns null when every measurement is stale, and honours a shorter window", async () => {
    const { db } = t();
    await publishCalibration(db, measured("a:1", 9, CALIBRATION_MAX_AGE_MS + HOUR));
    expect(await latestCalibration(db, { now: NOW })).toBeNull();
    await publishCalibration(db, measured("b:2", 9, 2 * HOUR));
    expect(await latestCalibration(db, { now: NOW, maxAgeMs: HOUR })).toBeNull();
    expect(await latestCalibration(db, { now: NOW, maxAgeMs: 3 * HOUR })).toMatchObject({ workerId: "b:2" });
  });

  it("forgets a grader that withdraws, leaving the others", async () => {
    const { db } = t();
    await publishCalibration(db, measured("slow:1", 3));
    await publishCalibration(db, measured("fast:2", 10));
    await withdrawCalibration(db, "slow:1");
    expect(await latestCalibration(db, { now: NOW })).toMatchObject({ workerId: "fast:2", graders: 1 });
    await withdrawCalibration(db, "fast:2");
    expect(await latestCalibration(db, { now: NOW })).toBeNull();
  });

  it.each([
    ["gflops", { gflops: 0 }],
    ["gflops", { gflops: Number.NaN }],
    ["gflops", { gflops: -1 }],
    ["workerId", { workerId: "" }],
    ["measuredAt", { measuredAt: 1.5 }],
    ["training.gflops", { training: { gflops: 0, stepSeconds: 0.002 } }],
    ["training.stepSeconds", { training: { gflops: 30, stepSeconds: -0.001 } }],
    ["correction", { correction: 0 }],
    ["correction", { correction: Number.POSITIVE_INFINITY }],
    ["corrections.mnist", { corrections: { mnist: 0 } }],
    ["corrections", { corrections: { "": 1.2 } }],
    ["corrections", { corrections: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`csv:c:${i}.csv`, 1])) }],
  ] as const)("refuses a calibration with a bad %s, naming it, and stores nothing", async (field, patch) => {
    const { db } = t();
    const bad = { ...measured("a:1", 9), ...patch };
    await expect(publishCalibration(db, bad)).rejects.toThrow(ValidationError);
    await expect(publishCalibration(db, bad)).rejects.toThrow(new RegExp(`needs ${field}`));
    expect(await latestCalibration(db, { now: NOW })).toBeNull();
  });
});

describe.each(testDialects)("migration 0019 on %s", (dialect) => {
  it("keeps a row a grader published before it: its overall correction reads, with no per-dataset ones", async () => {
    const t = await openTestDb(dialect, { migrate: false });
    try {
      await migrateTo(t.db, "0018_calibration_correction");
      // Written the way the code before 0019 wrote it.
      await sql`insert into grader_calibrations (worker_id, host, backend, gflops, training_gflops, step_seconds, speed_correction, measured_at)
        values ('old:1', 'h', 'wasm', 9, 30, 0.002, 1.25, ${NOW})`.execute(t.db.kysely);
      await migrate(t.db);
      const read = await latestCalibration(t.db, { now: NOW });
      expect(read).toEqual({
        workerId: "old:1",
        host: "h",
        backend: "wasm",
        gflops: 9,
        training: { gflops: 30, stepSeconds: 0.002 },
        correction: 1.25,
        measuredAt: NOW,
        graders: 1,
      });
    } finally {
      await t.cleanup();
    }
  });
});
