import { appendLog, jobById, type Assignment } from "@stepwise/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, gradeQueue, instructorWorld, submitAt, verdict, type InstructorWorld } from "./gradebook-helpers";

let w: InstructorWorld;
let second: Assignment;
/** Submission ids by role in the scenario. */
let subs: { onTime: string; late: string; extended: string; pending: string };

/**
 * The scenario: a late penalty of 10% a day (3 days at most) and assignment A due one day after T0.
 * `student` fails on time (0.5) then passes 3 days late (1 × 0.7); `other` has an extension to day 5
 * and passes on day 4 (not late), and has a pending attempt at B; the instructor enrolled as a
 * student (Tess) has not submitted anything.
 */
beforeEach(async () => {
  w = await instructorWorld();
  const t0 = w.clock.now();
  await w.db.kysely
    .updateTable("courses")
    .set({ settings: JSON.stringify({ latePenalty: { perDay: 0.1, maxDaysLate: 3 } }) })
    .where("id", "=", w.courseId)
    .execute();
  await w.db.kysely
    .updateTable("assignments")
    .set({ title: "A", deadline: t0 + DAY, attempts_allowed: 5 })
    .where("id", "=", w.assignment.id)
    .execute();
  second = await w.addAssignment({ attemptsAllowed: 3 });
  await w.db.kysely.updateTable("assignments").set({ title: "B", position: 6 }).where("id", "=", second.id).execute();
  await w.db.kysely
    .insertInto("extensions")
    .values({ assignment_id: w.assignment.id, user_id: w.other.id, deadline: t0 + 5 * DAY, created_at: t0 })
    .execute();
  const onTime = await submitAt(w, w.student, t0);
  const late = await submitAt(w, w.student, t0 + 3.5 * DAY);
  const extended = await submitAt(w, w.other, t0 + 4 * DAY);
  const scores = new Map([
    [onTime.submission.id, verdict("failed", 0.5)],
    [late.submission.id, verdict("passed", 1)],
    [extended.submission.id, verdict("passed", 1)],
  ]);
  await gradeQueue(w.db, t0 + 4 * DAY, (job) => scores.get(job.submissionId) ?? verdict("error", 0));
  const pending = await submitAt(w, w.other, t0 + 4 * DAY, second.id);
  subs = { onTime: onTime.submission.id, late: late.submission.id, extended: extended.submission.id, pending: pending.submission.id };
});
afterEach(async () => {
  await w.cleanup();
});

const table = (view: {
  rows: Array<{ student: { name: string }; cells: Array<{ best: number | null; status: string; late: boolean }>; total: number }>;
}) =>
  view.rows.map((r) => [
    r.student.name,
    ...r.cells.map((c) => `${c.best === null ? "-" : Math.round(c.best * 100)}/${c.status}${c.late ? "/late" : ""}`),
    r.total,
  ]);

describe("gradebook.view", () => {
  it("shows each student's best late-adjusted score, status, late flag, attempts and pending work", async () => {
    const caller = await w.as(w.instructor);
    const view = await caller.gradebook.view({ courseId: w.courseId });
    expect(view.assignments.map((a) => a.title)).toEqual(["A", "B"]);
    // Both place step 5 on MNIST: the columns group under one project, as the course page does.
    expect(view.assignments.map((a) => a.place)).toEqual([
      { project: "mnist", label: "MNIST", step: 5 },
      { project: "mnist", label: "MNIST", step: 5 },
    ]);
    expect(view.students).toBe(3);
    expect(table(view)).toEqual([
      ["other", "100/passed", "-/pending", 100],
      ["student", "70/passed/late", "-/not_attempted", 70],
      ["Tess Assistant", "-/not_attempted", "-/not_attempted", 0],
    ]);
    const student = view.rows.find((r) => r.student.id === w.student.id);
    expect(student?.cells[0]).toMatchObject({
      bestSubmissionId: subs.late,
      daysLate: 3,
      attemptsUsed: 2,
      attemptsAllowed: 5,
      pending: 0,
      submissions: 2,
      latest: { submissionId: subs.late, status: "passed" },
    });
    const other = view.rows.find((r) => r.student.id === w.other.id);
    expect(other?.cells[1]).toMatchObject({
      best: null,
      attemptsUsed: 1,
      attemptsAllowed: 3,
      pending: 1,
      latest: { submissionId: subs.pending, status: "queued" },
    });
    expect(view.maxTotal).toBe(200);
    // Every submission here is the same model: student and other sent identical work to A (B has one student's only).
    expect(view.identical).toEqual([
      { group: 1, assignmentId: w.assignment.id, students: [w.student, w.other].map((u) => ({ id: u.id, name: u.name, email: u.email })) },
    ]);
    expect(student?.cells.map((c) => c.identical)).toEqual([{ group: 1, others: ["other"] }, null]);
    // A: both who tried passed (student after 3.5 days, other at once); B: one pending attempt. The project needs both passed.
    expect(view.summary.columns.map((c) => [c.attempted, c.passed, c.passRate, c.medianAttempts, c.medianTimeToPassMs])).toEqual([
      [2, 2, 2 / 3, 1.5, 1.75 * DAY],
      [1, 0, 0, 1, null],
    ]);
    expect(view.summary.columns[0]?.histogram).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    expect(
      view.summary.projects.map((p) => [p.label, p.assignmentIds.length, p.attempted, p.passed, p.medianAttempts, p.medianTimeToPassMs]),
    ).toEqual([["MNIST", 2, 2, 0, 2, null]]);
    // The outsider (not enrolled) and the instructor are not rows.
    expect(view.rows.map((r) => r.student.id)).not.toContain(w.outsider.id);
    expect(view.rows.map((r) => r.student.id)).not.toContain(w.instructor.id);
  });

  it.each([
    ["search by name, any case", { search: "TESS" }, ["Tess Assistant"]],
    ["search by e-mail", { search: "other@" }, ["other"]],
    ["status pending", { status: "pending" as const }, ["other"]],
    ["status not attempted", { status: "not_attempted" as const }, ["student", "Tess Assistant"]],
    ["late", { late: true }, ["student"]],
    ["identical work", { identical: true }, ["other", "student"]],
    ["on time", { late: false }, ["other", "Tess Assistant"]],
    ["total, descending", { sort: "total", dir: "desc" as const }, ["other", "student", "Tess Assistant"]],
    ["e-mail", { sort: "email" }, ["other", "student", "Tess Assistant"]],
    ["name, descending", { sort: "name", dir: "desc" as const }, ["Tess Assistant", "student", "other"]],
  ])("filters and sorts: %s", async (_case, query, names) => {
    const caller = await w.as(w.instructor);
    const view = await caller.gradebook.view({ courseId: w.courseId, ...query });
    expect(view.rows.map((r) => r.student.name)).toEqual(names);
    expect(view.students).toBe(3);
  });

  it("shows one assignment's column and sorts by its score", async () => {
    const caller = await w.as(w.instructor);
    const only = await caller.gradebook.view({ courseId: w.courseId, assignmentId: second.id, status: "pending" });
    expect(only.assignments.map((a) => a.title)).toEqual(["B"]);
    expect(only.allAssignments.map((a) => a.title)).toEqual(["A", "B"]);
    expect(table(only)).toEqual([["other", "-/pending", 100]]);
    const sorted = await caller.gradebook.view({ courseId: w.courseId, sort: `assignment:${w.assignment.id}` });
    expect(sorted.rows.map((r) => r.student.name)).toEqual(["Tess Assistant", "student", "other"]);
  });

  it("rejects an assignment of another course, unknown filters and extra keys", async () => {
    const caller = await w.as(w.instructor);
    await expect(caller.gradebook.view({ courseId: w.courseId, assignmentId: "elsewhere" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/no assignment with id "elsewhere"/) as unknown,
    });
    await expect(caller.gradebook.view({ courseId: w.courseId, status: "great" as never })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.gradebook.view({ courseId: w.courseId, sort: "password" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.gradebook.view({ courseId: w.courseId, userId: w.student.id } as never)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("gradebook.cell and gradebook.submission (drill-down)", () => {
  it("lists a student's attempts with raw and late-adjusted scores", async () => {
    const caller = await w.as(w.instructor);
    const cell = await caller.gradebook.cell({ assignmentId: w.assignment.id, userId: w.student.id });
    expect(cell.student).toEqual({ id: w.student.id, name: "student", email: "student@example.test" });
    expect(cell.deadline).toBe(w.clock.now() + DAY);
    expect(cell.cell).toMatchObject({ best: 0.7, bestSubmissionId: subs.late });
    expect(
      cell.attempts.map((a) => [
        a.submissionId,
        a.verdictStatus,
        a.rawScore,
        a.score === null ? null : Math.round(a.score * 100) / 100,
        a.late,
        a.daysLate,
      ]),
    ).toEqual([
      [subs.late, "passed", 1, 0.7, true, 3],
      [subs.onTime, "failed", 0.5, 0.5, false, 0],
    ]);
    // The extension replaces the deadline for `other`.
    const other = await caller.gradebook.cell({ assignmentId: w.assignment.id, userId: w.other.id });
    expect(other.deadline).toBe(w.clock.now() + 5 * DAY);
    expect(other.attempts[0]).toMatchObject({ late: false, score: 1 });
  });

  it("finds no one outside the course by id", async () => {
    const caller = await w.as(w.instructor);
    for (const userId of [w.outsider.id, w.rival.id, "missing"]) {
      await expect(caller.gradebook.cell({ assignmentId: w.assignment.id, userId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
  });

  it("shows a submission in full: payload, model summary, unfiltered verdict, jobs with logs, backend and seed", async () => {
    const job = (await w.db.kysely.selectFrom("jobs").select("id").where("submission_id", "=", subs.late).executeTakeFirstOrThrow()).id;
    await appendLog(w.db, job, "attempt 1: training mnist-beat-baseline (seed 1234)\n");
    const caller = await w.as(w.instructor);
    const view = await caller.gradebook.submission({ submissionId: subs.late });
    expect(view.course.id).toBe(w.courseId);
    expect(view.student.email).toBe("student@example.test");
    expect(view.lateness).toEqual({ late: true, daysLate: 3, factor: 0.7, accepted: true });
    expect(view.submission.payload.training?.fit.epochs).toBeGreaterThan(0);
    expect(view.model).toMatchObject({ ok: true, totalParams: 784 * 32 + 32 + 32 * 10 + 10 });
    expect(view.model?.ok && view.model.layers.map((l) => [l.className, l.outputShape])).toEqual([
      ["Dense", "[null, 32]"],
      ["Dense", "[null, 10]"],
    ]);
    expect(view.budgets?.maxParams).toBeGreaterThan(0);
    expect(view.jobs).toHaveLength(1);
    expect(view.jobs[0]).toMatchObject({
      id: job,
      purpose: "grade",
      status: "done",
      current: true,
      log: expect.stringContaining("seed 1234") as unknown,
    });
    // Instructors see every check; the student (before the deadline) sees only those shown always.
    expect(view.jobs[0]?.verdict?.checks.map((c) => c.id)).toEqual(["beats-baseline", "claim", "hidden-robustness"]);
    expect(view.jobs[0]?.verdict?.environment).toEqual({ backend: "wasm", tfjsVersion: "4.22.0", seed: 1234, durationMs: 2500 });
    const asStudent = await (await w.as(w.student)).submission.byId({ submissionId: subs.late });
    expect(asStudent.verdict?.checks.map((c) => c.id)).toEqual(["beats-baseline"]);

    // Previews of a regrade (started after every submission) are listed too, and are not current.
    w.clock.advance(5 * DAY);
    await (await w.as(w.instructor)).regrade.start({ assignmentId: w.assignment.id });
    const withPreview = await caller.gradebook.submission({ submissionId: subs.late });
    expect(withPreview.jobs.map((j) => [j.purpose, j.status, j.current])).toEqual([
      ["grade", "done", true],
      ["preview", "queued", false],
    ]);
  });
});

describe("jobs.list's failures and jobs.retry", () => {
  it("lists the course's dead jobs and requeues one with fresh attempts", async () => {
    await gradeQueue(w.db, w.clock.now() + 5 * DAY, () => "dead");
    const caller = await w.as(w.instructor);
    const letters = (await caller.jobs.list({ courseId: w.courseId })).failures;
    expect(letters.map((l) => [l.submissionId, l.userName, l.assignmentTitle, l.attempts, l.maxAttempts, l.lastError])).toEqual([
      [subs.pending, "other", "B", 1, 1, "training child crashed: SIGSEGV"],
    ]);
    // The student sees a grader error that costs no attempt, not a stack trace.
    const mine = await (await w.as(w.other)).assignment.byId({ assignmentId: second.id });
    expect(mine.submissions[0]?.verdictStatus).toBe("error");

    const letter = letters[0];
    if (!letter) throw new Error("no dead letter");
    w.clock.advance(60_000);
    expect(await caller.jobs.retry({ jobId: letter.jobId })).toEqual({ jobId: letter.jobId, status: "queued" });
    expect(await jobById(w.db, letter.jobId)).toMatchObject({ status: "queued", attempts: 0, runAfter: w.clock.now() });
    expect((await caller.jobs.list({ courseId: w.courseId })).failures).toEqual([]);
    const view = await caller.gradebook.view({ courseId: w.courseId, status: "pending" });
    expect(view.rows.map((r) => r.student.name)).toEqual(["other"]);
    await expect(caller.jobs.retry({ jobId: letter.jobId })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/only dead-lettered jobs can be retried/i) as unknown,
    });
    await expect(caller.jobs.retry({ jobId: "missing" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("instructor procedures refuse everyone but the course's instructors", () => {
  /** Every procedure of the gradebook and regrade routers, called with real ids of this course. */
  async function calls() {
    await gradeQueue(w.db, w.clock.now() + 5 * DAY, () => "dead");
    const [dead] = (await (await w.as(w.instructor)).jobs.list({ courseId: w.courseId })).failures;
    const { regradeId } = await (await w.as(w.instructor)).regrade.start({ assignmentId: w.assignment.id });
    const jobId = dead?.jobId ?? "";
    type Caller = Awaited<ReturnType<typeof w.as>>;
    const list: Array<[string, (c: Caller) => Promise<unknown>]> = [
      ["gradebook.view", (c) => c.gradebook.view({ courseId: w.courseId })],
      ["gradebook.cell", (c) => c.gradebook.cell({ assignmentId: w.assignment.id, userId: w.student.id })],
      ["gradebook.submission", (c) => c.gradebook.submission({ submissionId: subs.late })],
      ["jobs.list", (c) => c.jobs.list({ courseId: w.courseId })],
      ["jobs.retry", (c) => c.jobs.retry({ jobId })],
      ["regrade.start", (c) => c.regrade.start({ assignmentId: second.id })],
      ["regrade.status", (c) => c.regrade.status({ regradeId })],
      ["regrade.forAssignment", (c) => c.regrade.forAssignment({ assignmentId: w.assignment.id })],
      ["regrade.commit", (c) => c.regrade.commit({ regradeId })],
      ["regrade.discard", (c) => c.regrade.discard({ regradeId })],
    ];
    return { list, jobId, regradeId };
  }

  it.each([
    ["anonymous", "UNAUTHORIZED", () => null],
    ["a student of the course", "FORBIDDEN", (x: InstructorWorld) => x.student],
    ["an instructor enrolled in the course as a student", "FORBIDDEN", (x: InstructorWorld) => x.instructorAsStudent],
    ["an instructor of another course", "FORBIDDEN", (x: InstructorWorld) => x.rival],
    ["a student of no course", "FORBIDDEN", (x: InstructorWorld) => x.outsider],
  ])("%s gets %s from every procedure, and nothing changes", async (_who, code, pick) => {
    const { list, jobId, regradeId } = await calls();
    const caller = await w.as(pick(w));
    for (const [name, call] of list) {
      await expect(call(caller), name).rejects.toMatchObject({ code });
    }
    expect((await jobById(w.db, jobId))?.status).toBe("dead");
    const regrades = await w.db.kysely.selectFrom("regrades").select(["id", "status"]).execute();
    expect(regrades).toEqual([{ id: regradeId, status: "previewing" }]);
  });

  it("the course's instructor may call every procedure", async () => {
    const { list } = await calls();
    const caller = await w.as(w.instructor);
    const outcomes: Record<string, string> = {};
    for (const [name, call] of list) {
      outcomes[name] = await call(caller).then(
        () => "ok",
        (error: { code?: string }) => error.code ?? "error",
      );
    }
    // Apply refuses until the previews finish (a rule, not an authorization failure); discard then succeeds.
    expect(outcomes).toEqual({
      "gradebook.view": "ok",
      "gradebook.cell": "ok",
      "gradebook.submission": "ok",
      "jobs.list": "ok",
      "jobs.retry": "ok",
      "regrade.start": "ok",
      "regrade.status": "ok",
      "regrade.forAssignment": "ok",
      "regrade.commit": "PRECONDITION_FAILED",
      "regrade.discard": "ok",
    });
  });
});
