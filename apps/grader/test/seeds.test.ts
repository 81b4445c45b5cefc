import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { initBackend } from "@stepwise/core/backend";
import { latestJobForSubmission, migrate, openDb, progressSince, updateAssignment, type Db } from "@stepwise/db";
import { getExercise } from "@stepwise/exercises";
import { gradeLocally, trainingSeeds } from "@stepwise/exercises/grading";
import { solutions } from "@stepwise/exercises/solutions";
import { startGrader, type GraderHandle } from "../src/worker";
import { studentWithAssignment, submit, testConfig, tmpDbUrl, waitForVerdict } from "./helpers";

// Small real slices and two epochs: N seeds multiply the training.
const slice = { trainLimit: 600, testLimit: 400 };
const mnist = solutions["mnist-beat-baseline"];
if (!mnist) throw new Error("the MNIST step-5 solutions are missing");
const twoEpochs = (payload: SubmissionPayload): SubmissionPayload => {
  if (!payload.training) throw new Error("a training solution has training settings");
  return { ...payload, training: { ...payload.training, fit: { ...payload.training.fit, epochs: 2 } } };
};
const reference = twoEpochs(mnist.reference);
const exercise = getExercise("mnist-beat-baseline");
const metricValues = (verdict: Verdict) => Object.fromEntries(Object.entries(verdict.metrics).map(([key, m]) => [key, m.value]));

describe("trainingSeeds", () => {
  it("keeps the exercise's seed first and derives distinct, non-zero seeds deterministically", () => {
    expect(trainingSeeds(1337, 3)).toEqual([1337, 1337 + 7919, 1337 + 2 * 7919]);
    expect(trainingSeeds(2 ** 31 - 1, 2)[1]).toBeGreaterThan(0);
    expect(() => trainingSeeds(1, 0)).toThrow(/1\.\.10, got 0/);
    expect(() => trainingSeeds(1, 11)).toThrow(/1\.\.10, got 11/);
  });
});

describe("grader with N training seeds (assignment `seeds`), real training children", () => {
  let db: Db;
  let grader: GraderHandle;
  let one: { assignmentId: string; userId: string };
  let three: { assignmentId: string; userId: string };

  beforeAll(async () => {
    const url = tmpDbUrl();
    db = await openDb(url);
    await migrate(db);
    const single = await studentWithAssignment(db, "mnist-beat-baseline");
    one = { assignmentId: single.assignment.id, userId: single.student.id };
    const multi = await studentWithAssignment(db, "mnist-beat-baseline");
    await updateAssignment(db, multi.assignment.id, { overrides: { seeds: 3 } });
    three = { assignmentId: multi.assignment.id, userId: multi.student.id };
    grader = startGrader(testConfig(url, slice), { db, log: () => undefined });
  });
  afterAll(async () => {
    await grader.stop();
    await db.close();
  });

  let threeSeeds: Verdict;
  let oneSeed: Verdict;

  it("step 5: trains every seed, aggregates mean ± std, records the seeds, and streams the first seed's epochs", async () => {
    const { submission } = await submit(db, three, reference);
    threeSeeds = await waitForVerdict(db, submission.id);
    oneSeed = await waitForVerdict(db, (await submit(db, one, reference)).submission.id);

    expect(threeSeeds.status).toBe("passed");
    expect(threeSeeds.environment?.seed).toBe(exercise.seed);
    expect(threeSeeds.environment?.seeds).toEqual(trainingSeeds(exercise.seed, 3));
    const perSeed = [1, 2, 3].map((i) => threeSeeds.metrics[`testAccuracySeed${i}`]?.value ?? Number.NaN);
    expect(perSeed.every((v) => v > 0.5 && v <= 1)).toBe(true);
    // Different initial weights → different models (the data is the same).
    expect(new Set(perSeed).size).toBeGreaterThan(1);
    const mean = perSeed.reduce((a, b) => a + b, 0) / 3;
    const std = Math.sqrt(perSeed.reduce((s, v) => s + (v - mean) ** 2, 0) / 2);
    expect(threeSeeds.metrics.testAccuracy?.value).toBeCloseTo(mean, 12);
    expect(threeSeeds.metrics.testAccuracyStd?.value).toBeCloseTo(std, 12);
    const interval = threeSeeds.metrics.testAccuracy?.interval;
    expect(interval?.lower).toBeLessThan(mean);
    expect(interval?.upper).toBeGreaterThan(mean);
    expect(threeSeeds.checks.find((c) => c.id === "beats-baseline")?.message).toMatch(/All 3 training seeds beat the baseline.*every seed/);
    expect(threeSeeds.summary).toMatch(/first seed's run/);

    // The first run is the one-seed grading exactly: same training seed, same data.
    expect(threeSeeds.curves.history.map((h) => h.loss)).toEqual(oneSeed.curves.history.map((h) => h.loss));
    expect(perSeed[0]).toBe(oneSeed.metrics.testAccuracy?.value);
    expect(oneSeed.environment?.seeds).toBeUndefined();
    expect(oneSeed.metrics.testAccuracySeed1).toBeUndefined();

    const job = await latestJobForSubmission(db, submission.id);
    const events = await progressSince(db, job?.id ?? "", 0);
    // One "started", the first seed's 2 epochs, a status line for each later seed, one "evaluating" (the last seed's).
    const lines = events.filter((e) => e.event.type !== "phase");
    expect(lines.map((e) => (e.event.type === "run" ? e.event.label : e.event.type))).toEqual([
      "started",
      "epoch",
      "epoch",
      "retraining with training seed 2 of 3",
      "retraining with training seed 3 of 3",
      "evaluating",
    ]);
  });

  it("the same submission graded again gives the same numbers", async () => {
    const again = await waitForVerdict(db, (await submit(db, three, reference)).submission.id);
    expect(metricValues(again)).toEqual(metricValues(threeSeeds));
    expect(again.environment?.seeds).toEqual(threeSeeds.environment?.seeds);
  });

  it("fails when any seed does not beat the baseline, saying which and that the rule is conservative", async () => {
    const verdict = await waitForVerdict(db, (await submit(db, three, twoEpochs(mnist.naive))).submission.id);
    expect(verdict.status).toBe("failed");
    expect(verdict.checks.find((c) => c.id === "beats-baseline")?.message).toMatch(
      /of 3 training seeds beat the baseline; seed \d+ did not: .*conservative/,
    );
    expect(verdict.metrics.pValue?.label).toMatch(/largest over 3 training seeds/);
  });

  it("gradeLocally (the CLI's path) agrees with the grader's children", async () => {
    const backend = await initBackend();
    const local = await gradeLocally(exercise, reference, { ...backend, slice, cacheDir: testConfig("file::memory:").cacheDir, seeds: 3 });
    expect(local.environment?.backend).toBe(threeSeeds.environment?.backend);
    expect(local.environment?.seeds).toEqual(threeSeeds.environment?.seeds);
    expect(metricValues(local)).toEqual(metricValues(threeSeeds));
    expect(local.status).toBe(threeSeeds.status);
  });
});
