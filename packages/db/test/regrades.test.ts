import { NotFoundError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import {
  applyRegrade,
  claimJob,
  completeJob,
  countAttempts,
  type Db,
  discardRegrade,
  failJob,
  gradebookData,
  jobsOfSubmission,
  latestJobForSubmission,
  openDb,
  previewJobs,
  regradeById,
  regradesForAssignment,
  startRegrade,
  submissionsFor,
} from "../src/index";
import { insertJob } from "../src/submissions";
import { type Fixture, sampleVerdict, seedCourse, testDialects } from "../src/testing";
import { submit, useTestDb } from "./helpers";

/** Plays the grader: claims every runnable job and completes it with the verdict `verdictFor` picks. */
async function gradeAll(db: Db, now: number, verdictFor: (purpose: string) => ReturnType<typeof sampleVerdict>): Promise<number> {
  let graded = 0;
  for (;;) {
    const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now });
    if (!claimed) return graded;
    const row = await db.kysely.selectFrom("jobs").select("purpose").where("id", "=", claimed.job.id).executeTakeFirstOrThrow();
    expect(await completeJob(db, { jobId: claimed.job.id, workerId: "w", verdict: verdictFor(row.purpose), now })).toBe("stored");
    graded += 1;
  }
}

/**
 * Two handles on one database for racing transactions. PostgreSQL: two pools. SQLite: better-sqlite3
 * is synchronous, so a second connection waiting for the write lock would block the very thread the
 * first one needs to commit; instead both race on one connection, whose transactions Kysely queues.
 */
async function twoHandles(dialect: string, db: Db, url: string): Promise<{ a: Db; b: Db; close: () => Promise<void> }> {
  if (dialect !== "postgres") return { a: db, b: db, close: async () => {} };
  const a = await openDb(url, { poolSize: 2 });
  const b = await openDb(url, { poolSize: 2 });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

const old = () => sampleVerdict("passed", 1);
const regraded = () => sampleVerdict("failed", 0.25);

async function gradedSubmissions(db: Db, f: Fixture, count: number) {
  for (let i = 0; i < count; i++) await submit(db, f, 100 + i);
  await gradeAll(db, 200, () => old());
}

describe.each(testDialects)("regrades on %s", (dialect) => {
  const t = useTestDb(dialect);
  const key = (f: Fixture) => ({ assignmentId: f.assignment.id, userId: f.student.id });

  it("previews every submission without changing what the student sees, until applied", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    await gradedSubmissions(db, f, 2);
    const before = await submissionsFor(db, key(f));
    expect(before.map((s) => s.verdict?.score)).toEqual([1, 1]);

    const { regrade, jobs } = await startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 300 });
    expect(jobs).toBe(2);
    expect(regrade).toMatchObject({ status: "previewing", createdBy: f.instructor.id, finishedAt: null });
    const queued = await db.kysely.selectFrom("jobs").selectAll().where("regrade_id", "=", regrade.id).execute();
    expect(queued.map((j) => [j.purpose, j.status, j.priority])).toEqual([
      ["preview", "queued", 10],
      ["preview", "queued", 10],
    ]);
    // Queued previews are not the submissions' grading: no pending job appears, attempts are unchanged.
    expect(await submissionsFor(db, key(f))).toEqual(before);
    expect(await countAttempts(db, key(f))).toBe(2);
    for (const s of before) expect((await latestJobForSubmission(db, s.id))?.id).toBe(s.job?.id);

    expect(await gradeAll(db, 400, (purpose) => (purpose === "preview" ? regraded() : old()))).toBe(2);
    // Graded previews still do not leak.
    expect(await submissionsFor(db, key(f))).toEqual(before);
    const previews = await previewJobs(db, regrade.id);
    expect(previews.map((p) => [p.status, p.verdict?.score, p.userId])).toEqual([
      ["done", 0.25, f.student.id],
      ["done", 0.25, f.student.id],
    ]);

    const result = await applyRegrade(db, { regradeId: regrade.id, now: 500 });
    expect(result).toMatchObject({ applied: 2, unchanged: 0, regrade: { status: "applied", finishedAt: 500 } });
    const after = await submissionsFor(db, key(f));
    expect(after.map((s) => [s.verdict?.status, s.verdict?.score])).toEqual([
      ["failed", 0.25],
      ["failed", 0.25],
    ]);
    expect(new Set(after.map((s) => s.job?.id))).toEqual(new Set(previews.map((p) => p.jobId)));
    expect((await regradeById(db, regrade.id))?.status).toBe("applied");
    // The grading as it was before this regrade stays readable (old → new after applying).
    const beforeRegrade = await gradebookData(db, { courseId: f.course.id, withoutRegrade: regrade.id });
    expect(beforeRegrade?.attempts.map((a) => a.verdict?.score)).toEqual([1, 1]);
    expect((await gradebookData(db, { courseId: f.course.id }))?.attempts.map((a) => a.verdict?.score)).toEqual([0.25, 0.25]);
    // The drill-down still shows every job of the submission: the first grading and the applied regrade.
    const sub = after[0];
    if (!sub) throw new Error("no submission");
    expect((await jobsOfSubmission(db, sub.id)).map((j) => [j.purpose, j.verdict?.score])).toEqual([
      ["grade", 1],
      ["grade", 0.25],
    ]);
  });

  it("refuses to apply while previews are still grading, and applies only finished ones after a death", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    await gradedSubmissions(db, f, 2);
    const { regrade } = await startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 300 });
    const first = await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 400 });
    if (!first) throw new Error("nothing to claim");
    await expect(applyRegrade(db, { regradeId: regrade.id, now: 410 })).rejects.toThrow(PreconditionError);
    await expect(applyRegrade(db, { regradeId: regrade.id, now: 410 })).rejects.toThrow(/2 of 2 preview jobs are still being graded/);
    await completeJob(db, { jobId: first.job.id, workerId: "w", verdict: regraded(), now: 420 });
    // The second preview fails for good: dead after one attempt.
    await db.kysely
      .updateTable("jobs")
      .set({ max_attempts: 1 })
      .where("regrade_id", "=", regrade.id)
      .where("status", "=", "queued")
      .execute();
    const second = await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 430 });
    if (!second) throw new Error("nothing to claim");
    expect(await failJob(db, { jobId: second.job.id, workerId: "w", error: "boom", now: 440 })).toBe("dead");

    const result = await applyRegrade(db, { regradeId: regrade.id, now: 450 });
    expect(result).toMatchObject({ applied: 1, unchanged: 1 });
    const scores = new Map((await submissionsFor(db, key(f))).map((s) => [s.id, s.verdict?.score]));
    expect(scores.get(first.submission.id)).toBe(0.25);
    // The submission whose preview died keeps its old grade, not the dead letter's "error" verdict.
    expect(scores.get(second.submission.id)).toBe(1);
  });

  it("allows one previewing regrade per assignment and none without submissions", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    await expect(startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 1 })).rejects.toThrow(
      /no submissions yet/,
    );
    await expect(startRegrade(db, { assignmentId: "missing", createdBy: f.instructor.id, now: 1 })).rejects.toThrow(NotFoundError);
    await gradedSubmissions(db, f, 1);
    const { regrade } = await startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 300 });
    await expect(startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 301 })).rejects.toThrow(
      /already being previewed/,
    );
    await discardRegrade(db, { regradeId: regrade.id, now: 302 });
    const next = await startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 303 });
    expect((await regradesForAssignment(db, f.assignment.id)).map((r) => [r.id, r.status])).toEqual([
      [next.regrade.id, "previewing"],
      [regrade.id, "discarded"],
    ]);
  });

  it("discards: queued and running previews are cancelled and nothing changes for the student", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    await gradedSubmissions(db, f, 3);
    const before = await submissionsFor(db, key(f));
    const { regrade } = await startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 300 });
    const running = await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 400 });
    if (!running) throw new Error("nothing to claim");
    const result = await discardRegrade(db, { regradeId: regrade.id, now: 500 });
    expect(result).toMatchObject({ cancelled: 3, regrade: { status: "discarded", finishedAt: 500 } });
    expect((await previewJobs(db, regrade.id)).map((p) => p.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    // The running preview's grader loses its write.
    expect(await completeJob(db, { jobId: running.job.id, workerId: "w", verdict: regraded(), now: 510 })).toBe("lost");
    expect(await submissionsFor(db, key(f))).toEqual(before);
    await expect(applyRegrade(db, { regradeId: regrade.id, now: 520 })).rejects.toThrow(/already discarded/);
    await expect(discardRegrade(db, { regradeId: regrade.id, now: 520 })).rejects.toThrow(PreconditionError);
    await expect(applyRegrade(db, { regradeId: "missing", now: 520 })).rejects.toThrow(NotFoundError);
  });

  it("applies exactly once when two connections apply at the same moment", async () => {
    const { db, url } = t();
    const f = await seedCourse(db, 1);
    await gradedSubmissions(db, f, 2);
    const { regrade } = await startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 300 });
    await gradeAll(db, 400, () => regraded());
    const { a, b, close } = await twoHandles(dialect, db, url);
    try {
      const results = await Promise.allSettled([
        applyRegrade(a, { regradeId: regrade.id, now: 500 }),
        applyRegrade(b, { regradeId: regrade.id, now: 501 }),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]?.reason).toBeInstanceOf(PreconditionError);
      expect(String(refused[0]?.reason)).toMatch(/already applied/);
    } finally {
      await close();
    }
    const purposes = await db.kysely.selectFrom("jobs").select("purpose").where("regrade_id", "=", regrade.id).execute();
    expect(purposes.map((p) => p.purpose)).toEqual(["grade", "grade"]);
  });

  it("starts only one regrade when two connections start at the same moment", async () => {
    const { db, url } = t();
    const f = await seedCourse(db, 1);
    await gradedSubmissions(db, f, 1);
    const { a, b, close } = await twoHandles(dialect, db, url);
    try {
      const input = { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 300 };
      const results = await Promise.allSettled([startRegrade(a, input), startRegrade(b, input)]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    } finally {
      await close();
    }
    expect(await db.kysely.selectFrom("regrades").selectAll().execute()).toHaveLength(1);
    expect(await db.kysely.selectFrom("jobs").selectAll().where("purpose", "=", "preview").execute()).toHaveLength(1);
  });

  it("an experiment job is never a submission's grading either", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    await gradedSubmissions(db, f, 1);
    const before = await submissionsFor(db, key(f));
    const sub = before[0];
    if (!sub?.job) throw new Error("no graded submission");
    await db.kysely
      .insertInto("jobs")
      .values({
        id: "exp-1",
        submission_id: sub.id,
        status: "queued",
        priority: 5,
        attempts: 0,
        max_attempts: 1,
        run_after: 900,
        lease_until: null,
        worker_id: null,
        last_error: null,
        created_at: 900,
        started_at: null,
        finished_at: null,
        seq: 1000,
        purpose: "experiment",
        regrade_id: null,
        experiment: "shuffled-labels",
      })
      .execute();
    expect(await submissionsFor(db, key(f))).toEqual(before);
    expect((await latestJobForSubmission(db, sub.id))?.id).toBe(sub.job.id);
    expect((await gradebookData(db, { courseId: f.course.id }))?.attempts.map((a) => a.job?.id)).toEqual([sub.job.id]);
    expect((await jobsOfSubmission(db, sub.id)).map((j) => [j.purpose, j.experiment])).toEqual([
      ["grade", null],
      ["experiment", "shuffled-labels"],
    ]);
  });

  it("a preview job needs its regrade and a grading job must not name one", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission } = await submit(db, f, 1);
    const base = { submissionId: submission.id, priority: 10, maxAttempts: 3, now: 2 };
    await expect(db.kysely.transaction().execute((q) => insertJob(q, db.dialect, { ...base, purpose: "preview" }))).rejects.toThrow(
      ValidationError,
    );
    await expect(db.kysely.transaction().execute((q) => insertJob(q, db.dialect, { ...base, regradeId: "r" }))).rejects.toThrow(
      /purpose "grade" and regradeId r/,
    );
  });
});
