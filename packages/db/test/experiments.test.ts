import { ForbiddenError, NotFoundError, PreconditionError, RateLimitError, ValidationError } from "@stepwise/core/contracts";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  claimJob,
  completeExperimentJob,
  completeJob,
  countAttempts,
  type Db,
  enqueueExperiment,
  experimentRunById,
  experimentRunsFor,
  failJob,
  gradebookData,
  latestJobForSubmission,
  openDb,
  submissionsFor,
  verdictForJob,
} from "../src/index";
import { insertJob } from "../src/submissions";
import { type Fixture, sampleVerdict, seedCourse, testDialects } from "../src/testing";
import { submit, useTestDb } from "./helpers";

const key = (f: Fixture) => ({ assignmentId: f.assignment.id, userId: f.student.id });
/** Every run is estimated at 100 s unless a test says otherwise. */
const flat = (seconds: number) => () => seconds;

function run(
  f: Fixture,
  submissionId: string,
  now: number,
  options: { budgetSeconds?: number; perMinute?: number; estimate?: number; experiment?: string; userId?: string } = {},
) {
  return {
    submissionId,
    userId: options.userId ?? f.student.id,
    experiment: options.experiment ?? "loss-per-batch",
    budgetSeconds: options.budgetSeconds ?? 600,
    perMinute: options.perMinute ?? 100,
    estimateSeconds: flat(options.estimate ?? 100),
    now,
  };
}

/** Claims the next job as worker "w" and checks it is the one expected. */
async function claim(db: Db, jobId: string, now: number) {
  const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now });
  expect(claimed?.job.id).toBe(jobId);
  return claimed;
}

/** An experiment result as the grader stores it: nested evidence, nulls where a loss diverged. */
const result = {
  experiment: "loss-per-batch",
  outcome: "flat",
  healthy: false,
  message: "The loss does not move over the first 32 batches.",
  hint: "Run lr-range-test.",
  evidence: {
    kind: "batch-loss",
    optimizer: "sgd",
    learningRate: 1e-7,
    batchSize: 32,
    epochSize: 2000,
    batches: [
      { step: 0, loss: 2.3 },
      { step: 1, loss: null },
    ],
  },
  durationMs: 1234.5,
};

describe.each(testDialects)("experiment jobs on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("enqueues an experiment job, and its result round-trips through the grader's completion", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission } = await submit(db, f, 10);
    const { job, estimateSeconds, budget } = await enqueueExperiment(db, run(f, submission.id, 20));
    expect(estimateSeconds).toBe(100);
    expect(budget).toEqual({ budgetSeconds: 600, usedSeconds: 0, reservedSeconds: 100, leftSeconds: 500 });
    const row = await db.kysely.selectFrom("jobs").selectAll().where("id", "=", job.id).executeTakeFirstOrThrow();
    expect([row.purpose, row.experiment, row.status, row.priority, row.regrade_id]).toEqual([
      "experiment",
      "loss-per-batch",
      "queued",
      5,
      null,
    ]);
    const gradeJob = await latestJobForSubmission(db, submission.id);

    // The grading job (priority 0) runs first; then the experiment. The claim says which is which.
    const first = await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 30 });
    expect(first?.job.id).toBe(gradeJob?.id);
    expect(first?.kind).toBe("grade");
    const second = await claim(db, job.id, 1_000);
    expect(second).toMatchObject({ kind: "experiment", experiment: "loss-per-batch" });
    expect(await completeExperimentJob(db, { jobId: job.id, workerId: "other", outcome: { result }, now: 5_000 })).toBe("lost");
    expect(await completeExperimentJob(db, { jobId: job.id, workerId: "w", outcome: { result }, now: 31_000 })).toBe("stored");
    expect(
      await completeExperimentJob(db, {
        jobId: job.id,
        workerId: "w",
        outcome: { result: { ...result, outcome: "decreasing" } },
        now: 32_000,
      }),
    ).toBe("duplicate");

    const stored = await experimentRunById(db, job.id);
    expect(stored).toMatchObject({
      jobId: job.id,
      submissionId: submission.id,
      assignmentId: f.assignment.id,
      userId: f.student.id,
      experiment: "loss-per-batch",
      status: "done",
      startedAt: 1_000,
      finishedAt: 31_000,
      chargedSeconds: 30,
    });
    expect(stored?.outcome).toEqual({ kind: "result", result });
    // Experiments store results, never verdicts.
    expect(await verdictForJob(db, job.id)).toBeNull();
    expect(await experimentRunById(db, "no-such-job")).toBeNull();
  });

  it("stores a run that could not produce a result as a failure with its message", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission, job: gradeJob } = await submit(db, f, 10);
    const { job } = await enqueueExperiment(db, run(f, submission.id, 20, { experiment: "label-scale" }));
    await claim(db, gradeJob.id, 30);
    await claim(db, job.id, 40);
    const message = "label-scale compares regression targets with outputs; this is a classification task.";
    expect(await completeExperimentJob(db, { jobId: job.id, workerId: "w", outcome: { failed: message }, now: 50 })).toBe("stored");
    const { runs } = await experimentRunsFor(db, { ...key(f), budgetSeconds: 600, estimateSeconds: flat(100) });
    expect(runs).toHaveLength(1);
    expect(runs[0]?.outcome).toEqual({ kind: "failed", message });
    // A grading job cannot be completed as an experiment.
    expect(await completeExperimentJob(db, { jobId: gradeJob.id, workerId: "w", outcome: { result }, now: 60 })).toBe("lost");
  });

  it("never counts an experiment as an attempt, nor shows its outcome as the submission's verdict", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission, job: gradeJob } = await submit(db, f, 10);
    await claim(db, gradeJob.id, 20);
    expect(await completeJob(db, { jobId: gradeJob.id, workerId: "w", verdict: sampleVerdict("failed", 0.2), now: 30 })).toBe("stored");
    const before = await submissionsFor(db, key(f));
    expect(await countAttempts(db, key(f))).toBe(1);

    // One experiment done, one dead-lettered (its failure is an experiment result, never a verdict), one still queued.
    const done = await enqueueExperiment(db, run(f, submission.id, 40, { experiment: "tiny-subset" }));
    await claim(db, done.job.id, 50);
    await completeExperimentJob(db, {
      jobId: done.job.id,
      workerId: "w",
      outcome: { result: { ...result, experiment: "tiny-subset" } },
      now: 60,
    });
    const dead = await enqueueExperiment(db, run(f, submission.id, 70, { experiment: "one-feature" }));
    for (let attempt = 1; attempt <= 3; attempt++) {
      await claim(db, dead.job.id, 80 + attempt * 10);
      await failJob(db, { jobId: dead.job.id, workerId: "w", error: "training child crashed", now: 85 + attempt * 10, backoffMs: () => 0 });
    }
    expect((await experimentRunById(db, dead.job.id))?.status).toBe("dead");
    await enqueueExperiment(db, run(f, submission.id, 200, { experiment: "data-shuffled" }));

    expect(await submissionsFor(db, key(f))).toEqual(before);
    expect(before[0]?.verdict?.status).toBe("failed");
    expect(await countAttempts(db, key(f))).toBe(1);
    expect((await latestJobForSubmission(db, submission.id))?.id).toBe(gradeJob.id);
    const book = await gradebookData(db, { courseId: f.course.id });
    expect(book?.attempts.map((a) => [a.submissionId, a.job?.id, a.verdict?.score])).toEqual([[submission.id, gradeJob.id, 0.2]]);
    const { runs } = await experimentRunsFor(db, { ...key(f), budgetSeconds: 600, estimateSeconds: flat(100) });
    expect(runs.map((r) => [r.experiment, r.status])).toEqual([
      ["data-shuffled", "queued"],
      ["one-feature", "dead"],
      ["tiny-subset", "done"],
    ]);
    // A dead-lettered run failed on our side: it says so and why, and costs nothing.
    expect(runs[1]).toMatchObject({ outcome: { kind: "failed" }, lastError: "training child crashed", chargedSeconds: 0 });
    expect((runs[1]?.outcome as { message?: string } | undefined)?.message).toMatch(
      /could not run this experiment \(3 attempts\) because of a problem on our side; it cost none of your budget/,
    );
    expect(await db.kysely.selectFrom("verdicts").select("job_id").where("job_id", "=", dead.job.id).execute()).toEqual([]);
  });

  it("charges finished runs their measured time and pending runs their estimate, and refuses what does not fit", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission, job: gradeJob } = await submit(db, f, 10);
    await claim(db, gradeJob.id, 20);
    const budget = { budgetSeconds: 250, estimate: 100 };
    const a = await enqueueExperiment(db, run(f, submission.id, 1_000, budget));
    const b = await enqueueExperiment(db, run(f, submission.id, 2_000, budget));
    expect(b.budget).toEqual({ budgetSeconds: 250, usedSeconds: 0, reservedSeconds: 200, leftSeconds: 50 });
    const refusal = enqueueExperiment(db, run(f, submission.id, 3_000, budget));
    await expect(refusal).rejects.toBeInstanceOf(PreconditionError);
    await expect(refusal).rejects.toThrow(
      /needs about 100 s of grader time; you have 50 s left of this assignment's 250 s experiment budget \(200 s held by runs still in the queue\)/,
    );

    // Run a takes 30 s: its charge drops from the 100 s estimate to what it used.
    await claim(db, a.job.id, 10_000);
    await completeExperimentJob(db, { jobId: a.job.id, workerId: "w", outcome: { result }, now: 40_000 });
    const after = await experimentRunsFor(db, { ...key(f), budgetSeconds: 250, estimateSeconds: flat(100) });
    expect(after.budget).toEqual({ budgetSeconds: 250, usedSeconds: 30, reservedSeconds: 100, leftSeconds: 120 });
    const c = await enqueueExperiment(db, run(f, submission.id, 50_000, budget));
    expect(c.budget.leftSeconds).toBe(20);
    // A grader fault costs the student nothing: b dies and its reservation is released.
    for (let attempt = 1; attempt <= 3; attempt++) {
      await claim(db, b.job.id, 60_000 + attempt * 1_000);
      await failJob(db, { jobId: b.job.id, workerId: "w", error: "grader fault", now: 60_100 + attempt * 1_000, backoffMs: () => 0 });
    }
    const last = await experimentRunsFor(db, { ...key(f), budgetSeconds: 250, estimateSeconds: flat(100) });
    expect(last.budget).toEqual({ budgetSeconds: 250, usedSeconds: 30, reservedSeconds: 100, leftSeconds: 120 });
    // Another student's spending is theirs alone.
    expect(
      (
        await experimentRunsFor(db, {
          assignmentId: f.assignment.id,
          userId: f.instructor.id,
          budgetSeconds: 250,
          estimateSeconds: flat(100),
        })
      ).budget.leftSeconds,
    ).toBe(250);
  });

  it.each([
    ["someone else's submission", { userId: "instructor" }, ForbiddenError, /only run experiments on your own submissions/],
    ["a budget of 0 s", { budgetSeconds: 0 }, PreconditionError, /turned off for this assignment/],
    ["an empty experiment name", { experiment: "" }, ValidationError, /experiment's name/],
  ] as const)("refuses %s", async (_name, change, error, message) => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission } = await submit(db, f, 10);
    const userId = "userId" in change ? f.instructor.id : undefined;
    const attempt = enqueueExperiment(db, run(f, submission.id, 20, { ...change, ...(userId ? { userId } : {}) }));
    await expect(attempt).rejects.toBeInstanceOf(error);
    await expect(attempt).rejects.toThrow(message);
    expect(await db.kysely.selectFrom("jobs").select("id").where("purpose", "=", "experiment").execute()).toEqual([]);
  });

  it("refuses a submission that does not exist", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    await expect(enqueueExperiment(db, run(f, "missing", 20))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("limits experiment requests per minute, per student and assignment", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission } = await submit(db, f, 10);
    const limits = { perMinute: 2, estimate: 1 };
    await enqueueExperiment(db, run(f, submission.id, 60_000, limits));
    await enqueueExperiment(db, run(f, submission.id, 70_000, limits));
    const third = enqueueExperiment(db, run(f, submission.id, 80_000, limits));
    await expect(third).rejects.toBeInstanceOf(RateLimitError);
    await expect(third).rejects.toThrow(/At most 2 experiments per minute on one assignment; you have started 2/);
    // A minute after the first, there is room again.
    await expect(enqueueExperiment(db, run(f, submission.id, 120_001, limits))).resolves.toBeDefined();
  });

  it("only an experiment job carries an experiment name", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission } = await submit(db, f, 10);
    const base = { submissionId: submission.id, priority: 0, maxAttempts: 1, now: 1 };
    await expect(db.kysely.transaction().execute((q) => insertJob(q, dialect, { ...base, purpose: "experiment" }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      db.kysely.transaction().execute((q) => insertJob(q, dialect, { ...base, experiment: "tiny-subset" })),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("holds the budget under concurrent requests: of 12 runs of 100 s on a 350 s budget exactly 3 are enqueued", async () => {
    const { db, url } = t();
    const f = await seedCourse(db, 1);
    const { submission } = await submit(db, f, 10);
    const second = await submit(db, f, 11);
    // PostgreSQL: two pools, as two web instances would have. SQLite: one connection whose
    // transactions queue (a second one in the same thread would block on the file lock).
    const handles = dialect === "postgres" ? [await openDb(url, { poolSize: 4 }), await openDb(url, { poolSize: 4 })] : [db, db];
    try {
      // Open every pooled connection first, so the twelve transactions really overlap (a pool that is
      // still connecting staggers them, and a race would go unnoticed).
      if (dialect === "postgres")
        await Promise.all(handles.flatMap((h) => Array.from({ length: 4 }, () => sql`select pg_sleep(0.05)`.execute(h.kysely))));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          enqueueExperiment(
            handles[i % 2] ?? db,
            run(f, i % 3 === 0 ? second.submission.id : submission.id, 1_000, { budgetSeconds: 350, estimate: 100 }),
          ),
        ),
      );
      const enqueued = outcomes.filter((o) => o.status === "fulfilled");
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
      expect(enqueued).toHaveLength(3);
      expect(refused).toHaveLength(9);
      for (const r of refused) expect(r.reason).toBeInstanceOf(PreconditionError);
      const { budget, runs } = await experimentRunsFor(db, { ...key(f), budgetSeconds: 350, estimateSeconds: flat(100) });
      expect(runs).toHaveLength(3);
      expect(budget).toEqual({ budgetSeconds: 350, usedSeconds: 0, reservedSeconds: 300, leftSeconds: 50 });
    } finally {
      if (dialect === "postgres") for (const h of handles) await h.close();
    }
  });
});
