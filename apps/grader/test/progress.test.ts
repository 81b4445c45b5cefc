/**
 * Progress that tells the truth: a step-7 grading reports preparing, its three trainings in the
 * order they run with their epochs, and the hidden test set's evaluation last; the time left starts
 * from the grader's calibration and follows the epochs as they are measured (simulated clock).
 */
import { describe, expect, it, onTestFinished } from "vitest";
import type { ProgressEvent, SubmissionPayload } from "@stepwise/core/contracts";
import { datasetKey, type TimedTraining } from "@stepwise/core/model";
import { claimJob, completeJob, createAssignment, createSubmissionWithJob, migrate, openDb, progressSince } from "@stepwise/db";
import { sampleVerdict } from "@stepwise/db/testing";
import { getExercise } from "@stepwise/exercises";
import { solutions } from "@stepwise/exercises/solutions";
import { gradeClaimedJob } from "../src/grade";
import { GradingEta } from "../src/progress-eta";
import { WarmPool } from "../src/sandbox";
import { studentWithAssignment, testConfig, tmpDbUrl } from "./helpers";

describe("the time left of a grading", () => {
  /** A clock the test moves: seconds since the grading started. */
  function clock() {
    let ms = 0;
    return { now: () => ms, at: (seconds: number) => (ms = seconds * 1000) };
  }

  /** Finishes the epochs of `steps` ([seconds since start, epoch]) in turn. */
  function play(eta: GradingEta, time: ReturnType<typeof clock>, steps: [number, number][]) {
    for (const [seconds, epoch] of steps) {
      time.at(seconds);
      eta.epochDone(epoch);
    }
  }

  it.each<{ calibrated: number | null; steps: [number, number][]; at: number; left: number | null }>([
    // 3 runs × 10 epochs at a calibrated 2 s per epoch: 60 s before anything ran.
    { calibrated: 2, steps: [], at: 0, left: 60 },
    // The first epoch took 4 s, twice the calibration: every epoch left is counted at 4 s.
    { calibrated: 2, steps: [[4, 1]], at: 4, left: 29 * 4 },
    // Halfway through the next epoch, half an epoch is already spent.
    { calibrated: 2, steps: [[4, 1]], at: 6, left: 29 * 4 - 2 },
    // Measured epochs average out: 1 s and 3 s → 2 s each.
    {
      calibrated: 10,
      steps: [
        [1, 1],
        [4, 2],
      ],
      at: 4,
      left: 28 * 2,
    },
    // No calibration: nothing to say until an epoch is measured, then the measurement.
    { calibrated: null, steps: [], at: 0, left: null },
    { calibrated: null, steps: [[3, 1]], at: 3, left: 29 * 3 },
  ])("calibrated $calibrated s/epoch, epochs at $steps, asked at $at s → $left s", ({ calibrated, steps, at, left }) => {
    const time = clock();
    const eta = new GradingEta({ runs: 3, secondsPerEpoch: calibrated }, time.now);
    eta.startRun(1, 10);
    play(eta, time, steps);
    time.at(at);
    expect(eta.secondsLeft()).toBe(left);
  });

  it("counts the later runs from the run that is training, and reaches zero at the last epoch", () => {
    const time = clock();
    const eta = new GradingEta({ runs: 2, secondsPerEpoch: 1 }, time.now);
    eta.startRun(1, 2);
    play(eta, time, [
      [1, 1],
      [2, 2],
    ]);
    expect(eta.secondsLeft()).toBe(2);
    eta.startRun(2, 2);
    play(eta, time, [
      [3, 1],
      [4, 2],
    ]);
    expect(eta.secondsLeft()).toBe(0);
  });
});

describe("the phases of a real step-7 grading", () => {
  it("preparing, then trainings 1, 2 and 3 of 3 with their epochs, and the test evaluation last", async () => {
    const url = tmpDbUrl();
    const db = await openDb(url);
    onTestFinished(() => db.close());
    // The three trainings reuse one warm child, as in the grader's pool (a fresh child each would load
    // TF.js three times); it loads while the database is set up.
    const config = testConfig(url);
    const pool = new WarmPool(1, config.memoryMb, config.backend, config.childJobs);
    onTestFinished(() => pool.close());
    await migrate(db);
    const step6 = solutions["houses-overfit"]?.reference as SubmissionPayload;
    const step7 = solutions["houses-regularize"]?.reference as SubmissionPayload;
    const { course, assignment, student } = await studentWithAssignment(db, "houses-overfit");
    const regularize = await createAssignment(
      db,
      {
        courseId: course.id,
        exerciseId: "houses-regularize",
        title: "Regularize",
        overrides: {},
        deadline: null,
        attemptsAllowed: null,
        position: 7,
      },
      Date.now(),
    );
    // The student passed step 6 (its verdict stored as the grader would).
    const passed = await createSubmissionWithJob(
      db,
      { assignmentId: assignment.id, userId: student.id, exerciseId: "houses-overfit", payload: step6 },
      Date.now(),
    );
    await claimJob(db, { workerId: "w", leaseMs: 60_000, now: Date.now() });
    await completeJob(db, { jobId: passed.job.id, workerId: "w", verdict: sampleVerdict("passed"), now: Date.now() });

    const { job } = await createSubmissionWithJob(
      db,
      { assignmentId: regularize.id, userId: student.id, exerciseId: "houses-regularize", payload: step7 },
      Date.now(),
    );
    const claimed = await claimJob(db, { workerId: "w", leaseMs: 120_000, now: Date.now() });
    if (claimed?.job.id !== job.id) throw new Error("expected to claim the step-7 job");
    const trained: TimedTraining[] = [];
    const verdict = await gradeClaimedJob(claimed, {
      db,
      config,
      signal: new AbortController().signal,
      now: Date.now,
      pool,
      gflops: () => 5,
      onTrained: (run) => trained.push(run),
    });
    expect(["passed", "failed"]).toContain(verdict.status);

    const events = (await progressSince(db, job.id, 0)).map((row) => row.event);
    const phases = events.filter((e): e is Extract<ProgressEvent, { type: "phase" }> => e.type === "phase");
    const trainings = phases.filter((p) => p.phase === "training");
    expect(phases[0]?.phase).toBe("preparing");
    expect(phases.at(-1)?.phase).toBe("evaluating");
    expect(phases.filter((p) => p.phase === "evaluating")).toHaveLength(1);
    // Runs in order, each announced at epoch 0 and followed by its epochs; all three counted of 3.
    expect([...new Set(trainings.map((p) => p.run))]).toEqual([1, 2, 3]);
    expect(trainings.every((p) => p.runs === 3 && p.label !== undefined)).toBe(true);
    for (const run of [1, 2, 3]) {
      const epochs = trainings.filter((p) => p.run === run).map((p) => p.epoch);
      expect(epochs[0]).toBe(0);
      expect(epochs).toEqual([...epochs].sort((a, b) => (a ?? 0) - (b ?? 0)));
      expect(epochs.at(-1)).toBe(trainings.find((p) => p.run === run)?.epochs);
    }
    // The time left comes from the calibration before the first epoch and is there at every training phase.
    expect(trainings.every((p) => typeof p.etaSeconds === "number")).toBe(true);
    // The status lines the student saw: the final model trains before the test set is evaluated.
    const lines = events.map((e) => (e.type === "run" ? e.label : e.type)).filter((line) => line !== "phase" && line !== "epoch");
    expect(lines.slice(-2)).toEqual(["training the final model on training + validation data (3 of 3)", "evaluating"]);

    // Each of the three trainings taught the speed correction, under the assignment's dataset, with its
    // own epochs: the two validated runs split the same rows the final model trains on whole.
    expect(trained.map((run) => run.dataset)).toEqual(Array(3).fill(datasetKey(getExercise("houses-regularize").dataset, course.id)));
    expect(trained.map((run) => run.epochs)).toEqual([1, 2, 3].map((run) => trainings.find((p) => p.run === run)?.epochs));
    expect(trained.every((run) => run.job === job.id && run.wallSeconds > 0)).toBe(true);
    // Every grading training predicts the test inputs after its epochs (its child's work, whichever prediction the verdict uses).
    expect(new Set(trained.map((run) => run.predicted))).toEqual(new Set([trained[0]?.predicted]));
    expect(trained[0]?.predicted).toBeGreaterThan(0);
    const [before, after, final] = trained.map((run) => run.work);
    expect(before && after && final && before.evaluate > 0 && after.evaluate > 0).toBe(true);
    expect(final?.evaluate).toBe(0);
    expect(new Set(trained.map((run) => run.work.train + run.work.evaluate)).size).toBe(1);
  }, 600_000);
});
