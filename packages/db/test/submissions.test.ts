import { NotFoundError, PreconditionError, RateLimitError, ValidationError } from "@stepwise/core/contracts";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  claimJob,
  completeJob,
  countAttempts,
  createSubmissionWithJob,
  openDb,
  enqueueRegrade,
  failJob,
  latestJobForSubmission,
  cancelJob,
  submissionById,
  submissionsFor,
  verdictForJob,
} from "../src/index";
import { sampleVerdict, seedCourse, testDialects } from "../src/testing";
import { payload, submit, useTestDb } from "./helpers";

describe.each(testDialects)("submissions on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("holds the attempts limit under concurrent submissions: of 8 with 3 attempts allowed exactly 3 are stored", async () => {
    const { db, url } = t();
    const f = await seedCourse(db, 1);
    const limits = { attemptsAllowed: 3, perMinute: 100, windowMs: 60_000 };
    // PostgreSQL: separate pools, as separate web instances would have, with every connection opened
    // first so the eight transactions really overlap. SQLite: one connection whose transactions queue.
    const handles = dialect === "postgres" ? [await openDb(url, { poolSize: 4 }), await openDb(url, { poolSize: 4 })] : [db];
    try {
      if (dialect === "postgres")
        await Promise.all(handles.flatMap((h) => Array.from({ length: 4 }, () => sql`select pg_sleep(0.05)`.execute(h.kysely))));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => submit(handles[i % handles.length] ?? db, f, 100 + i, { limits })),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(3);
      for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(PreconditionError);
      expect(await countAttempts(db, { assignmentId: f.assignment.id, userId: f.student.id })).toBe(3);
      expect(await db.kysely.selectFrom("jobs").selectAll().execute()).toHaveLength(3);
    } finally {
      if (dialect === "postgres") for (const h of handles) await h.close();
    }
  });

  it("refuses a submission past the rate limit with what to do, stores nothing, and accepts again after the window", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const limits = { attemptsAllowed: null, perMinute: 2, windowMs: 60_000 };
    await submit(db, f, 1_000, { limits });
    await submit(db, f, 2_000, { limits });
    await expect(submit(db, f, 3_000, { limits })).rejects.toThrow(RateLimitError);
    await expect(submit(db, f, 3_000, { limits })).rejects.toThrow(
      /At most 2 submissions per minute to one assignment; you have made 2\. Wait a minute/,
    );
    expect(await db.kysely.selectFrom("submissions").selectAll().execute()).toHaveLength(2);
    await submit(db, f, 61_500, { limits });
    expect(await db.kysely.selectFrom("submissions").selectAll().execute()).toHaveLength(3);
  });

  it("stores a submission and its queued job together", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission, job } = await submit(db, f, 100);
    expect(await submissionById(db, submission.id)).toEqual(submission);
    expect(job).toMatchObject({ submissionId: submission.id, status: "queued", priority: 0, attempts: 0, maxAttempts: 3, runAfter: 100 });
    expect(await latestJobForSubmission(db, submission.id)).toEqual(job);
  });

  it("leaves neither row when the job insert fails inside the transaction", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    // max_attempts has a CHECK (≥ 1): the submission insert succeeds, the job insert then fails.
    await expect(submit(db, f, 100, { maxAttempts: 0 })).rejects.toThrow();
    expect(await db.kysely.selectFrom("submissions").selectAll().execute()).toEqual([]);
    expect(await db.kysely.selectFrom("jobs").selectAll().execute()).toEqual([]);
  });

  it.each([
    ["a payload for another exercise", { exerciseId: "other-exercise" }],
    ["a payload with an unknown field", { exerciseId: "mnist-step-5-baseline", weights: [1, 2] }],
  ])("rejects %s before writing", async (_label, bad) => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const input = { assignmentId: f.assignment.id, userId: f.student.id, exerciseId: f.assignment.exerciseId, payload: bad as never };
    await expect(createSubmissionWithJob(db, input, 5)).rejects.toThrow();
    expect(await db.kysely.selectFrom("submissions").selectAll().execute()).toEqual([]);
  });

  it("rejects a mismatched exercise id with a ValidationError naming both", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const input = { assignmentId: f.assignment.id, userId: f.student.id, exerciseId: f.assignment.exerciseId, payload: payload("other") };
    await expect(createSubmissionWithJob(db, input, 5)).rejects.toThrow(ValidationError);
    await expect(createSubmissionWithJob(db, input, 5)).rejects.toThrow(/must be "mnist-step-5-baseline", got "other"/);
  });

  it("lists submissions newest first with the latest job and its verdict", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const older = await submit(db, f, 100);
    const newer = await submit(db, f, 200);
    const claimed = await claimJob(db, { workerId: "w", leaseMs: 1000, now: 300 });
    expect(claimed?.job.id).toBe(older.job.id);
    await completeJob(db, { jobId: older.job.id, workerId: "w", verdict: sampleVerdict("failed", 0.2), now: 400 });
    let list = await submissionsFor(db, { assignmentId: f.assignment.id, userId: f.student.id });
    expect(list.map((s) => s.id)).toEqual([newer.submission.id, older.submission.id]);
    expect(list[1]?.verdict?.status).toBe("failed");
    expect(list[0]?.verdict).toBeNull();

    const regrade = await enqueueRegrade(db, older.submission.id, 500);
    expect(regrade).toMatchObject({ priority: 10, status: "queued", submissionId: older.submission.id });
    list = await submissionsFor(db, { assignmentId: f.assignment.id, userId: f.student.id });
    expect(list[1]?.job?.id).toBe(regrade.id);
    expect(list[1]?.verdict).toBeNull();
    expect(await latestJobForSubmission(db, older.submission.id)).toEqual(regrade);
    expect((await verdictForJob(db, older.job.id))?.score).toBe(0.2);
    await expect(enqueueRegrade(db, "missing", 600)).rejects.toThrow(NotFoundError);
  });

  it("counts attempts: pending and graded count; invalid, error and cancelled do not", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const key = { assignmentId: f.assignment.id, userId: f.student.id };
    // "pending" last: a queued job would otherwise be claimed ahead of the later ones.
    const outcomes = ["passed", "invalid", "error", "cancelled", "failed", "pending"] as const;
    let now = 10;
    for (const outcome of outcomes) {
      const { job } = await submit(db, f, (now += 10), { maxAttempts: 1 });
      if (outcome === "pending") continue;
      if (outcome === "cancelled") {
        await cancelJob(db, job.id, now);
        continue;
      }
      expect((await claimJob(db, { workerId: "w", leaseMs: 100, now }))?.job.id).toBe(job.id);
      if (outcome === "error") await failJob(db, { jobId: job.id, workerId: "w", error: "tfjs crashed", now });
      else await completeJob(db, { jobId: job.id, workerId: "w", verdict: sampleVerdict(outcome), now });
    }
    expect(await countAttempts(db, key)).toBe(3);
  });
});
