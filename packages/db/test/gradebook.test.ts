import { NotFoundError, PreconditionError } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import {
  cancelJob,
  claimJob,
  completeJob,
  courseOfJob,
  deadLettersForCourse,
  discardRegrade,
  enroll,
  failJob,
  gradebookData,
  jobById,
  jobsOfSubmission,
  latestJobForSubmission,
  openJobsOfCourse,
  progressSince,
  appendProgress,
  appendLog,
  retryDeadJob,
  startRegrade,
  verdictForJob,
} from "../src/index";
import type { KyselyPlugin } from "kysely";
import { type Fixture, sampleVerdict, seedClassGrades, seedCourse, testDialects, createTestUser } from "../src/testing";
import { submit, useTestDb } from "./helpers";
import type { Db } from "../src/connection";

/** Claims the next job and fails it for good (one attempt allowed), as a grader that keeps crashing would. */
async function killNext(db: Db, now: number): Promise<string> {
  await db.kysely.updateTable("jobs").set({ max_attempts: 1 }).where("status", "=", "queued").execute();
  const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now });
  if (!claimed) throw new Error("nothing to claim");
  await appendProgress(db, claimed.job.id, { type: "started", backend: "cpu", epochs: 3 }, now);
  await appendLog(db, claimed.job.id, "attempt 1: out of file handles\n");
  expect(await failJob(db, { jobId: claimed.job.id, workerId: "w", error: "out of file handles", now: now + 1 })).toBe("dead");
  return claimed.job.id;
}

describe.each(testDialects)("gradebook queries on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("returns students, assignments and each attempt's current grading, never a preview", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const zed = await createTestUser(db, { email: "zed@example.test", name: "Zed Last", role: "student", password: "pw-123456" }, 1);
    await enroll(db, { courseId: f.course.id, userId: zed.id, role: "student" }, 1);
    await db.kysely
      .updateTable("courses")
      .set({ settings: JSON.stringify({ latePenalty: { perDay: 0.1, maxDaysLate: 3 } }) })
      .where("id", "=", f.course.id)
      .execute();
    await db.kysely
      .insertInto("extensions")
      .values({ assignment_id: f.assignment.id, user_id: zed.id, deadline: 5000, created_at: 1 })
      .execute();
    const first = await submit(db, f, 100);
    const second = await submit(db, f, 200);
    const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 300 });
    expect(claimed?.job.id).toBe(first.job.id);
    await completeJob(db, { jobId: first.job.id, workerId: "w", verdict: sampleVerdict("failed", 0.5), now: 310 });
    await startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 400 });

    const data = await gradebookData(db, { courseId: f.course.id });
    if (!data) throw new Error("no gradebook");
    expect(data.course).toEqual({ id: f.course.id, title: "Deep Learning 101", archived: false });
    expect(data.settings).toEqual({ latePenalty: { perDay: 0.1, maxDaysLate: 3 } });
    expect(data.assignments.map((a) => a.id)).toEqual([f.assignment.id]);
    // Instructors are not graded; students come by name.
    expect(data.students.map((s) => s.name)).toEqual(["Sam Student", "Zed Last"]);
    expect(data.extensions).toEqual([{ assignmentId: f.assignment.id, userId: zed.id, deadline: 5000 }]);
    expect(data.attempts).toEqual([
      {
        submissionId: second.submission.id,
        assignmentId: f.assignment.id,
        userId: f.student.id,
        createdAt: 200,
        job: { id: second.job.id, status: "queued" },
        verdict: null,
      },
      {
        submissionId: first.submission.id,
        assignmentId: f.assignment.id,
        userId: f.student.id,
        createdAt: 100,
        job: { id: first.job.id, status: "done" },
        verdict: { status: "failed", score: 0.5 },
      },
    ]);
    expect(await gradebookData(db, { courseId: "missing" })).toBeNull();
    const none = await gradebookData(db, { courseId: f.course.id, assignmentId: "other" });
    expect(none?.assignments).toEqual([]);
    expect(none?.attempts).toEqual([]);
  });

  it("reads a class in the same few queries whatever its size, each score straight from the verdict", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    let queries = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        queries++;
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    };
    const counted: Db = { ...db, kysely: db.kysely.withPlugin(counter) };
    const read = async () => {
      queries = 0;
      const data = await gradebookData(counted, { courseId: f.course.id });
      if (!data) throw new Error("no gradebook");
      return { data, queries };
    };
    const { seq } = await seedClassGrades(db, { courseId: f.course.id, assignments: [f.assignment], students: 3, now: 10_000 });
    const small = await read();
    await seedClassGrades(db, { courseId: f.course.id, assignments: [f.assignment], students: 40, now: 10_000, from: 3, seq });
    const large = await read();
    expect(large.data.students).toHaveLength(1 + 43);
    expect(large.queries).toBe(small.queries);
    expect(large.queries).toBeLessThanOrEqual(8);
    // The seed's scores: student i scores (7i mod 101) / 100 on the first assignment, and every ninth has no attempt.
    const expected = Array.from({ length: 43 }, (_, i) => i)
      .filter((i) => i % 9 !== 0)
      .map((i) => ((i * 7) % 101) / 100);
    expect(large.data.attempts.map((a) => a.verdict?.score).sort()).toEqual(expected.sort());
    expect(large.data.attempts.every((a) => a.verdict?.status === ((a.verdict?.score ?? 0) >= 0.5 ? "passed" : "failed"))).toBe(true);
  });

  it("lists every job of a submission, previews included, with verdicts and logs", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission, job } = await submit(db, f, 100);
    await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 150 });
    await appendLog(db, job.id, "attempt 1: training\n");
    await completeJob(db, { jobId: job.id, workerId: "w", verdict: sampleVerdict("passed", 1), now: 160 });
    const { regrade } = await startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 200 });
    const jobs = await jobsOfSubmission(db, submission.id);
    expect(jobs.map((j) => [j.purpose, j.regradeId, j.status, j.verdict?.status ?? null, j.log])).toEqual([
      ["grade", null, "done", "passed", "attempt 1: training\n"],
      ["preview", regrade.id, "queued", null, ""],
    ]);
  });
});

describe.each(testDialects)("dead letters on %s", (dialect) => {
  const t = useTestDb(dialect);

  async function otherCourse(db: Db): Promise<Fixture> {
    return seedCourse(db, 2);
  }

  it("lists a course's dead jobs with their error and attempts, and only that course's", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const g = await otherCourse(db);
    const { submission } = await submit(db, f, 100);
    await submit(db, g, 100);
    const dead = await killNext(db, 200);
    await killNext(db, 300);
    const letters = await deadLettersForCourse(db, f.course.id);
    expect(letters).toEqual([
      {
        jobId: dead,
        submissionId: submission.id,
        assignmentId: f.assignment.id,
        assignmentTitle: "Beat the baseline",
        userId: f.student.id,
        userName: "Sam Student",
        userEmail: f.student.email,
        purpose: "grade",
        experiment: null,
        courseId: f.course.id,
        courseTitle: f.course.title,
        createdAt: 100,
        attempts: 1,
        maxAttempts: 1,
        lastError: "out of file handles",
        finishedAt: 201,
      },
    ]);
    expect(await courseOfJob(db, dead)).toBe(f.course.id);
    expect(await courseOfJob(db, "missing")).toBeNull();
  });

  it("lists a course's queued and running jobs, oldest first, and no other course's or finished ones", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const g = await otherCourse(db);
    const running = (await submit(db, f, 100)).job.id;
    await submit(db, g, 100);
    const queued = (await submit(db, f, 110)).job.id;
    const cancelled = (await submit(db, f, 120)).job.id;
    const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 200 });
    // The claim order weighs students against each other; which job runs is not what this is about.
    if (claimed?.job.id !== running)
      await db.kysely.updateTable("jobs").set({ status: "running", worker_id: "w" }).where("id", "=", running).execute();
    expect(await cancelJob(db, cancelled, 210)).toBe(true);
    expect(await openJobsOfCourse(db, f.course.id)).toEqual([running, queued]);
    expect(await openJobsOfCourse(db, "no-such-course")).toEqual([]);
  });

  it("retry requeues a dead job with fresh attempts, and the next grading counts", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { submission } = await submit(db, f, 100);
    const dead = await killNext(db, 200);
    expect((await verdictForJob(db, dead))?.status).toBe("error");

    const retried = await retryDeadJob(db, dead, 1_000);
    expect(retried).toMatchObject({
      id: dead,
      status: "queued",
      attempts: 0,
      runAfter: 1_000,
      leaseUntil: null,
      workerId: null,
      finishedAt: null,
      lastError: "out of file handles",
    });
    expect(await verdictForJob(db, dead)).toBeNull();
    expect(await progressSince(db, dead, 0)).toEqual([]);
    expect(await deadLettersForCourse(db, f.course.id)).toEqual([]);
    // Not before run_after: the retry is runnable from the moment of the click.
    expect(await claimJob(db, { workerId: "w2", leaseMs: 60_000, now: 999 })).toBeNull();
    const claimed = await claimJob(db, { workerId: "w2", leaseMs: 60_000, now: 1_000 });
    expect(claimed?.job).toMatchObject({ id: dead, attempts: 1 });
    expect(await completeJob(db, { jobId: dead, workerId: "w2", verdict: sampleVerdict("passed", 1), now: 1_100 })).toBe("stored");
    expect((await latestJobForSubmission(db, submission.id))?.status).toBe("done");
    expect((await verdictForJob(db, dead))?.status).toBe("passed");
    // The log keeps the failed attempt for the instructor.
    expect((await jobsOfSubmission(db, submission.id))[0]?.log).toContain("out of file handles");
  });

  it("refuses to retry anything but a dead job, and a preview of a closed regrade", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1);
    const { job } = await submit(db, f, 100);
    await expect(retryDeadJob(db, job.id, 200)).rejects.toThrow(PreconditionError);
    await expect(retryDeadJob(db, job.id, 200)).rejects.toThrow(/job ".*" is queued/);
    await expect(retryDeadJob(db, "missing", 200)).rejects.toThrow(NotFoundError);

    const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now: 300 });
    await completeJob(db, { jobId: claimed?.job.id ?? "", workerId: "w", verdict: sampleVerdict(), now: 310 });
    const { regrade } = await startRegrade(db, { assignmentId: f.assignment.id, createdBy: f.instructor.id, now: 400 });
    const preview = await killNext(db, 500);
    expect((await deadLettersForCourse(db, f.course.id)).map((l) => [l.jobId, l.purpose])).toEqual([[preview, "preview"]]);
    await discardRegrade(db, { regradeId: regrade.id, now: 600 });
    // A dead preview of a discarded regrade is no longer a dead letter to act on.
    expect(await deadLettersForCourse(db, f.course.id)).toEqual([]);
    await expect(retryDeadJob(db, preview, 700)).rejects.toThrow(/regrade that was discarded/);
    expect((await jobById(db, preview))?.status).toBe("dead");
  });
});
