import {
  claimJob,
  completeJob,
  createAssignment,
  createCourse,
  createSession,
  enroll,
  submissionsFor,
  updateCourse,
  type Db,
} from "@stepwise/db";
import { openTestDb, sampleVerdict, testDialects, type TestDb, createTestUser } from "@stepwise/db/testing";
import type { CheckVisibility } from "@stepwise/core/contracts";
import { answerSolutions } from "@stepwise/exercises/solutions";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "../src/server/root";
import { createContext } from "../src/server/trpc";
import { clock, testConfig, validPayload } from "./helpers";

const correct = (id: string) => {
  const set = answerSolutions[id];
  if (!set) throw new Error(`no answers for ${id}`);
  return set.correct;
};

/** A guided course with MNIST steps 1, 2 and 5 and IMDB step 1, a student, another student and its instructor. */
async function journeyWorld(db: Db) {
  const c = clock();
  const mk = (name: string, role: "student" | "instructor") =>
    createTestUser(db, { email: `${name}@example.test`, name, role, password: `${name}-password` }, c.now());
  const [student, other, instructor] = [await mk("student", "student"), await mk("other", "student"), await mk("teacher", "instructor")];
  const course = await createCourse(db, { title: "Journey" }, c.now());
  for (const [user, role] of [
    [student, "student"],
    [other, "student"],
    [instructor, "instructor"],
  ] as const)
    await enroll(db, { courseId: course.id, userId: user.id, role }, c.now());
  const add = (exerciseId: string, position: number) =>
    createAssignment(
      db,
      { courseId: course.id, exerciseId, title: exerciseId, overrides: {}, deadline: null, attemptsAllowed: 3, position },
      c.now(),
    );
  const assignments = {
    define: await add("mnist-define-problem", 1),
    metric: await add("mnist-choose-metric", 2),
    baseline: await add("mnist-beat-baseline", 5),
    imdb: await add("imdb-define-problem", 6),
  };
  const as = async (user: { id: string }) =>
    createCaller(
      await createContext({
        db,
        config: testConfig,
        now: c.now,
        sessionToken: (await createSession(db, user.id, c.now(), testConfig.sessionTtlMs)).token,
      }),
    );
  return { c, course, student, other, instructor, assignments, as };
}

async function gradeNext(db: Db, status: "passed" | "failed", now: number, visibility: CheckVisibility = "always") {
  const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now });
  if (!claimed) throw new Error("no job to grade");
  const verdict = sampleVerdict(status, status === "passed" ? 1 : 0.2);
  const checks = verdict.checks.map((check) => ({ ...check, visibility }));
  await completeJob(db, { jobId: claimed.job.id, workerId: "w", verdict: { ...verdict, checks }, now: now + 1 });
}

describe.each(testDialects)("the guided journey on %s", (dialect) => {
  let testDb: TestDb;
  beforeEach(async () => {
    testDb = await openTestDb(dialect);
  });
  afterEach(async () => {
    await testDb.cleanup();
  });

  it("refuses a locked step with the engine's reason and charges no attempt, then opens it once its prerequisite passes", async () => {
    const { db } = testDb;
    const w = await journeyWorld(db);
    const student = await w.as(w.student);
    const metric = { assignmentId: w.assignments.metric.id, payload: correct("mnist-choose-metric") };
    await expect(student.submission.create(metric)).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "Pass step 1 (Define the problem and assemble a dataset) on MNIST first.",
    });
    // Step 5's prerequisite among the course's steps is step 2, the nearest one assigned.
    await expect(student.submission.create({ assignmentId: w.assignments.baseline.id, payload: validPayload() })).rejects.toMatchObject({
      message: "Pass step 2 (Choose a measure of success) on MNIST first.",
    });
    expect(await submissionsFor(db, { assignmentId: w.assignments.metric.id, userId: w.student.id })).toEqual([]);
    // The step's page says so before any work: the reason and the step that unlocks it (step 5's leads to
    // step 1 too, the first step not yet passed); an instructor's view of the page has no lock.
    expect((await student.assignment.byId({ assignmentId: w.assignments.metric.id })).lock).toEqual({
      reason: "Pass step 1 (Define the problem and assemble a dataset) on MNIST first.",
      unlockedBy: { assignmentId: w.assignments.define.id, number: 1, title: "Define the problem and assemble a dataset" },
    });
    expect((await student.assignment.byId({ assignmentId: w.assignments.baseline.id })).lock?.unlockedBy?.number).toBe(1);
    expect((await student.assignment.byId({ assignmentId: w.assignments.define.id })).lock).toBeNull();
    expect((await (await w.as(w.instructor)).assignment.byId({ assignmentId: w.assignments.metric.id })).lock).toBeNull();

    await student.submission.create({ assignmentId: w.assignments.define.id, payload: correct("mnist-define-problem") });
    expect((await student.project.byId({ courseId: w.course.id, project: "mnist" })).steps.map((s) => s.state)).toEqual([
      "submitted",
      "locked",
      "locked",
    ]);
    await gradeNext(db, "passed", w.c.advance(1000));
    expect((await student.assignment.byId({ assignmentId: w.assignments.metric.id })).lock).toBeNull();
    const created = await student.submission.create(metric);
    expect(created.status).toBe("queued");

    const projects = await student.project.list({ courseId: w.course.id });
    expect(projects.map((p) => [p.label, p.steps.map((s) => s.state)])).toEqual([
      ["MNIST", ["passed", "submitted", "locked"]],
      ["IMDB", ["open"]],
    ]);
    expect(projects[0]?.summary).toMatchObject({ passed: 1, total: 3 });
    expect(projects[0]?.handoff).toEqual({ taskType: "multiclass" });
    expect(projects[0]?.steps[0]).toMatchObject({ attempts: 1, bestScore: 1, reason: null, assignmentId: w.assignments.define.id });
    // The other student's journey is their own.
    await expect((await w.as(w.other)).submission.create(metric)).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("lets everything through in an independent course", async () => {
    const { db } = testDb;
    const w = await journeyWorld(db);
    await updateCourse(db, w.course.id, { mode: "independent" });
    const student = await w.as(w.student);
    expect((await student.submission.create({ assignmentId: w.assignments.baseline.id, payload: validPayload() })).status).toBe("queued");
    expect((await student.project.list({ courseId: w.course.id }))[0]?.steps.map((s) => s.state)).toEqual(["open", "open", "submitted"]);
  });

  it("lets an instructor read a student's projects and open a step for them; students may not", async () => {
    const { db } = testDb;
    const w = await journeyWorld(db);
    const teacher = await w.as(w.instructor);
    const opened = await teacher.project.override({
      courseId: w.course.id,
      studentId: w.student.id,
      project: "mnist",
      stepId: "beat-baseline",
      action: "open",
    });
    expect(opened.steps.map((s) => s.state)).toEqual(["open", "locked", "open"]);
    expect((await teacher.project.list({ courseId: w.course.id, studentId: w.student.id }))[0]?.steps[2]?.state).toBe("open");
    expect(
      (await (await w.as(w.student)).submission.create({ assignmentId: w.assignments.baseline.id, payload: validPayload() })).status,
    ).toBe("queued");

    const other = await w.as(w.other);
    await expect(other.project.list({ courseId: w.course.id, studentId: w.student.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      other.project.override({ courseId: w.course.id, studentId: w.other.id, project: "mnist", stepId: "choose-metric", action: "pass" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(teacher.project.byId({ courseId: w.course.id, project: "houses" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("lets the course's instructor pass a step and undo it; refuses instructors of other courses and non-students", async () => {
    const { db } = testDb;
    const w = await journeyWorld(db);
    const teacher = await w.as(w.instructor);
    const target = { courseId: w.course.id, studentId: w.student.id, project: "mnist", stepId: "define-problem" } as const;
    const passed = await teacher.project.override({ ...target, action: "pass" });
    expect(passed.steps.map((s) => [s.state, s.override])).toEqual([
      ["passed", "pass"],
      ["open", null],
      ["locked", null],
    ]);
    const undone = await teacher.project.override({ ...target, action: "clear" });
    expect(undone.steps.map((s) => [s.state, s.override])).toEqual([
      ["open", null],
      ["locked", null],
      ["locked", null],
    ]);
    await expect(teacher.project.override({ ...target, action: "clear" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const rival = await createTestUser(
      db,
      { email: "rival@example.test", name: "Rival", role: "instructor", password: "rival-password" },
      w.c.now(),
    );
    const elsewhere = await createCourse(db, { title: "Elsewhere" }, w.c.now());
    await enroll(db, { courseId: elsewhere.id, userId: rival.id, role: "instructor" }, w.c.now());
    await expect((await w.as(rival)).project.override({ ...target, action: "pass" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(teacher.project.override({ ...target, studentId: w.instructor.id, action: "pass" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await db.kysely.selectFrom("step_overrides").selectAll().execute()).toEqual([]);
  });

  it.each(["passed", "failed"] as const)(
    "opens the next step on a %s verdict the student may not see, so the lock tells nothing",
    async (status) => {
      const { db } = testDb;
      const w = await journeyWorld(db);
      const student = await w.as(w.student);
      await student.submission.create({ assignmentId: w.assignments.define.id, payload: correct("mnist-define-problem") });
      await gradeNext(db, status, w.c.advance(1000), "never");
      const [mnist] = await student.project.list({ courseId: w.course.id });
      expect(mnist?.steps.map((s) => [s.state, s.bestScore, s.reason])).toEqual([
        ["graded", null, null],
        ["open", null, null],
        ["locked", null, "Pass step 2 (Choose a measure of success) on MNIST first."],
      ]);
      expect(mnist?.summary).toMatchObject({ passed: 0, next: { number: 2 } });
      expect(mnist?.handoff).toEqual({});
      expect(
        (await student.submission.create({ assignmentId: w.assignments.metric.id, payload: correct("mnist-choose-metric") })).status,
      ).toBe("queued");
      // The instructor sees the same locks the student does (the gate is one), and the real verdict on the submission.
      const teacher = await w.as(w.instructor);
      expect((await teacher.project.list({ courseId: w.course.id, studentId: w.student.id }))[0]?.steps.map((s) => s.state)).toEqual([
        "graded",
        "submitted",
        "locked",
      ]);
    },
  );
});
