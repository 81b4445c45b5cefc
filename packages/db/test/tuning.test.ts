/**
 * Tuning runs in the database: an experiment job named `tune` with its declared search stored
 * beside it, sharing the debugging experiments' compute budget (the pending search charged what its
 * search is estimated to cost), listed apart from the debugging runs.
 */
import { PreconditionError, ValidationError } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import {
  cancelJob,
  claimJob,
  completeExperimentJob,
  enqueueExperiment,
  enqueueTuning,
  experimentRunsFor,
  TUNE_EXPERIMENT,
  tuningRunById,
  tuningRunsFor,
  type EstimateSeconds,
} from "../src/index";
import { type Fixture, seedCourse, testDialects } from "../src/testing";
import { submit, useTestDb } from "./helpers";

const search = { strategy: "grid", trials: 3, space: { learningRate: [0.0001, 0.001, 0.01] } };

/** What the web app's estimator does in spirit: a search costs per trial, a debugging experiment 100 s. */
const estimate: EstimateSeconds = ({ experiment, search: s }) => {
  if (experiment !== TUNE_EXPERIMENT) return 100;
  const trials = (s as { trials?: number } | undefined)?.trials;
  if (trials === undefined) throw new Error("a tune run's estimate needs its search");
  return 50 * (trials + 1);
};

const tuning = (f: Fixture, submissionId: string, now: number, overrides: Partial<Parameters<typeof enqueueTuning>[1]> = {}) => ({
  submissionId,
  userId: f.student.id,
  search,
  budgetSeconds: 600,
  perMinute: 100,
  estimateSeconds: estimate,
  now,
  ...overrides,
});

describe.each(testDialects)("tuning runs on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("stores the search with the job, charges its estimate while pending, and lists tuning runs apart from debugging ones", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1_000, "mnist-regularize");
    const { submission, job: grading } = await submit(db, f, 1_000);
    // The submission's own grading is out of the way, so the next claim is the search.
    await cancelJob(db, grading.id, 1_500);
    const queued = await enqueueTuning(db, tuning(f, submission.id, 2_000));
    expect(queued.estimateSeconds).toBe(200);
    expect(queued.budget).toEqual({ budgetSeconds: 600, usedSeconds: 0, reservedSeconds: 200, leftSeconds: 400 });

    const { search: _none, ...common } = tuning(f, submission.id, 3_000);
    const debugging = await enqueueExperiment(db, { ...common, experiment: "tiny-subset" });
    expect(await tuningRunById(db, debugging.job.id)).toBeNull();

    const key = { assignmentId: f.assignment.id, userId: f.student.id, budgetSeconds: 600, estimateSeconds: estimate };
    const { runs, budget } = await tuningRunsFor(db, key);
    expect(runs.map((r) => [r.jobId, r.experiment, r.status, r.chargedSeconds, r.search])).toEqual([
      [queued.job.id, "tune", "queued", 200, search],
    ]);
    // One budget for both kinds of run.
    expect(budget).toEqual({ budgetSeconds: 600, usedSeconds: 0, reservedSeconds: 300, leftSeconds: 300 });
    expect((await experimentRunsFor(db, key)).budget).toEqual(budget);

    // Done: the stored result comes back for the caller to parse, charged its measured time.
    const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 4_000 });
    expect(claimed?.job.id).toBe(queued.job.id);
    // The claim hands the grader the search stored with the job.
    expect(claimed).toMatchObject({ kind: "tune", search });
    const result = { experiment: "tune", trials: [{ index: 1, validation: null }], selected: null };
    expect(await completeExperimentJob(db, { jobId: queued.job.id, workerId: "w", outcome: { result }, now: 9_000 })).toBe("stored");
    const done = await tuningRunById(db, queued.job.id, estimate);
    expect(done).toMatchObject({ status: "done", outcome: { kind: "result", result }, chargedSeconds: 5, search });
  });

  it("keeps the estimate a run was started with beside what it was charged, and holds that estimate while it is pending", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1_000, "mnist-regularize");
    const { submission, job: grading } = await submit(db, f, 1_000);
    await cancelJob(db, grading.id, 1_500);
    const queued = await enqueueTuning(db, tuning(f, submission.id, 2_000));
    // The estimator changes afterwards (a grader published a new calibration): the queued run still holds what it was shown.
    const later: EstimateSeconds = () => 999;
    expect(await tuningRunById(db, queued.job.id, later)).toMatchObject({ status: "queued", estimateSeconds: 200, chargedSeconds: 200 });
    await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 4_000 });
    await completeExperimentJob(db, { jobId: queued.job.id, workerId: "w", outcome: { result: { experiment: "tune" } }, now: 184_000 });
    expect(await tuningRunById(db, queued.job.id, later)).toMatchObject({ status: "done", estimateSeconds: 200, chargedSeconds: 180 });
  });

  it("dead-letters at the claim a tuning job whose stored search is not JSON, telling the student in a sentence", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1_000, "mnist-regularize");
    const { submission, job: grading } = await submit(db, f, 1_000);
    await cancelJob(db, grading.id, 1_500);
    const queued = await enqueueTuning(db, tuning(f, submission.id, 2_000));
    await db.kysely.updateTable("jobs").set({ tuning_search: "{not json" }).where("id", "=", queued.job.id).execute();
    expect(await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 4_000 })).toBeNull();
    const row = await db.kysely
      .selectFrom("jobs")
      .select(["status", "last_error"])
      .where("id", "=", queued.job.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("dead");
    expect(row.last_error).toMatch(/search of job .* must be JSON/);
    const stored = await db.kysely
      .selectFrom("experiment_results")
      .select("result")
      .where("job_id", "=", queued.job.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.result) as unknown).toMatchObject({ failed: true });
    expect(stored.result).toMatch(/problem on our side; it cost none of your budget/);
  });

  it("refuses a search the budget left cannot hold, naming both numbers; and a search that is not an object", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1_000, "mnist-regularize");
    const { submission } = await submit(db, f, 1_000);
    await enqueueTuning(db, tuning(f, submission.id, 2_000));
    const big = { ...search, trials: 8 };
    await expect(enqueueTuning(db, tuning(f, submission.id, 3_000, { search: big }))).rejects.toThrow(PreconditionError);
    await expect(enqueueTuning(db, tuning(f, submission.id, 3_000, { search: big }))).rejects.toThrow(
      /Running tune needs about 450 s of grader time; you have 400 s left of this assignment's 600 s experiment budget \(200 s held by runs still in the queue\)/,
    );
    await expect(enqueueTuning(db, tuning(f, submission.id, 3_000, { search: [1, 2] }))).rejects.toThrow(ValidationError);
    await expect(enqueueTuning(db, tuning(f, submission.id, 3_000, { search: null }))).rejects.toThrow(
      "A tuning run needs its search as an object, got null.",
    );
    expect(
      (await tuningRunsFor(db, { assignmentId: f.assignment.id, userId: f.student.id, budgetSeconds: 600, estimateSeconds: estimate }))
        .runs,
    ).toHaveLength(1);
  });
});
