import { appendProgress, claimJob, createAssignment, enroll, type User } from "@stepwise/db";
import { createTestUser } from "@stepwise/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gradeQueue, instructorWorld, submitAt, type InstructorWorld } from "./gradebook-helpers";
import { EXERCISE_ID } from "./helpers";

let w: InstructorWorld;
let operator: User;
/** Job ids by role in the scenario. */
let jobs: { dead: string; running: string; queued: string; theirs: string };

/**
 * This course: one dead job (the student's), one running on grader "gpu-1" at epoch 2 of 5 (other's),
 * one queued (the student's again). The rival's course: one queued job, claimed before ours would be
 * (it is older), so ours is second in line.
 */
beforeEach(async () => {
  w = await instructorWorld();
  const t0 = w.clock.now();
  operator = await createTestUser(w.db, { email: "ops@example.test", name: "Ops", role: "admin", password: "ops-password" }, t0);
  const dead = await submitAt(w, w.student, t0);
  await gradeQueue(w.db, t0, () => "dead");
  const running = await submitAt(w, w.other, t0 + 1_000);
  const claimed = await claimJob(w.db, { workerId: "gpu-1", leaseMs: 600_000, now: t0 + 2_000 });
  if (claimed?.job.id !== running.job.id) throw new Error("expected to claim other's job");
  await appendProgress(w.db, running.job.id, { type: "epoch", epoch: 2, epochs: 5, loss: 0.4, seconds: 1 }, t0 + 3_000);
  const theirCourse = (
    await w.db.kysely.selectFrom("enrollments").select("course_id").where("user_id", "=", w.rival.id).executeTakeFirstOrThrow()
  ).course_id;
  const theirStudent = await createTestUser(
    w.db,
    { email: "zoe@example.test", name: "Zoe", role: "student", password: "zoe-password" },
    t0,
  );
  await enroll(w.db, { courseId: theirCourse, userId: theirStudent.id, role: "student" }, t0);
  const theirAssignment = await createAssignment(
    w.db,
    { courseId: theirCourse, exerciseId: EXERCISE_ID, title: "Theirs", overrides: {}, deadline: null, attemptsAllowed: null, position: 5 },
    t0,
  );
  const theirs = await submitAt(w, theirStudent, t0 + 4_000, theirAssignment.id);
  const queued = await submitAt(w, w.student, t0 + 5_000);
  w.clock.advance(10_000);
  jobs = { dead: dead.job.id, running: running.job.id, queued: queued.job.id, theirs: theirs.job.id };
});
afterEach(async () => {
  await w.cleanup();
});

describe("jobs.list", () => {
  it("shows an instructor their course's queue: position among every course's jobs, the running job's grader, phase and time, the failure", async () => {
    const list = await (await w.as(w.instructor)).jobs.list({ courseId: w.courseId });
    expect(list.queued.map((j) => [j.jobId, j.position, j.userName, j.waitingMs])).toEqual([[jobs.queued, 1, "student", 5_000]]);
    expect(list.running.map((j) => [j.jobId, j.workerId, j.phase, j.elapsedMs])).toEqual([[jobs.running, "gpu-1", "epoch 2 of 5", 8_000]]);
    expect(list.failures.map((j) => [j.jobId, j.lastError])).toEqual([[jobs.dead, "training child crashed: SIGSEGV"]]);
  });

  it("shows an operator every course's jobs, with or without a course", async () => {
    const caller = await w.as(operator);
    const all = await caller.jobs.list({});
    expect(all.queued.map((j) => [j.jobId, j.position, j.courseTitle])).toEqual([
      [jobs.theirs, 0, "Another course"],
      [jobs.queued, 1, "Test course"],
    ]);
    expect((await caller.jobs.list({ courseId: w.courseId })).queued.map((j) => j.jobId)).toEqual([jobs.queued]);
  });

  it.each([
    ["anonymous", "UNAUTHORIZED", true, () => null],
    ["a student of the course", "FORBIDDEN", true, (x: InstructorWorld) => x.student],
    ["an instructor of another course", "FORBIDDEN", true, (x: InstructorWorld) => x.rival],
    // The course's own instructor may retry its jobs, but not list every course's.
    ["an instructor asking for every course", "FORBIDDEN", false, (x: InstructorWorld) => x.instructor],
  ])("refuses %s with %s", async (_who, code, ownCourse, pick) => {
    const caller = await w.as(pick(w));
    await expect(caller.jobs.list(ownCourse ? { courseId: w.courseId } : {})).rejects.toMatchObject({ code });
    if (!ownCourse) return;
    await expect(caller.jobs.retry({ jobId: jobs.dead })).rejects.toMatchObject({ code });
    expect((await w.db.kysely.selectFrom("jobs").select("status").where("id", "=", jobs.dead).executeTakeFirstOrThrow()).status).toBe(
      "dead",
    );
  });

  it("lets an operator retry any course's dead job", async () => {
    expect(await (await w.as(operator)).jobs.retry({ jobId: jobs.dead })).toEqual({ jobId: jobs.dead, status: "queued" });
  });
});
