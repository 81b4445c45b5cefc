import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WatchUpdate } from "../src/server/services/watch";
import type { Verdict } from "@stepwise/core/contracts";
import { DAY, gradeQueue, instructorWorld, submitAt, verdict as fixtureVerdict, type InstructorWorld } from "./gradebook-helpers";

/** The fixture verdict with only always-visible checks: students see its status, so a premature regrade would show. */
function verdict(status: Verdict["status"], score: number): Verdict {
  const v = fixtureVerdict(status, score);
  return { ...v, checks: v.checks.filter((check) => check.visibility === "always") };
}

let w: InstructorWorld;
let subs: { studentOld: string; studentLate: string; other: string };

/**
 * Assignment due one day after T0, 10% off per late day: `student` has 50 on time and 100 two days
 * late (→ 80), `other` has 100 on time. The regrade's previews then score every submission 0.25.
 */
beforeEach(async () => {
  w = await instructorWorld();
  const t0 = w.clock.now();
  await w.db.kysely
    .updateTable("assignments")
    .set({ deadline: t0 + DAY, overrides: JSON.stringify({ latePenalty: { perDay: 0.1, maxDaysLate: 5 } }) })
    .where("id", "=", w.assignment.id)
    .execute();
  const a = await submitAt(w, w.student, t0);
  const b = await submitAt(w, w.student, t0 + 2.5 * DAY);
  const c = await submitAt(w, w.other, t0 + 0.5 * DAY);
  const scores = new Map([
    [a.submission.id, 0.5],
    [b.submission.id, 1],
    [c.submission.id, 1],
  ]);
  await gradeQueue(w.db, t0 + 3 * DAY, (job) =>
    verdict((scores.get(job.submissionId) ?? 0) === 1 ? "passed" : "failed", scores.get(job.submissionId) ?? 0),
  );
  subs = { studentOld: a.submission.id, studentLate: b.submission.id, other: c.submission.id };
  w.clock.advance(3 * DAY);
});
afterEach(async () => {
  await w.cleanup();
});

const rows = (status: {
  students: Array<{
    student: { name: string };
    oldScore: number | null;
    newScore: number | null;
    done: number;
    pending: number;
    unchanged: number;
  }>;
}) =>
  status.students.map((s) => [
    s.student.name,
    s.oldScore === null ? null : Math.round(s.oldScore * 100),
    s.newScore === null ? null : Math.round(s.newScore * 100),
    s.done,
    s.pending,
    s.unchanged,
  ]);

const scores = async (w: InstructorWorld) => {
  const view = await (await w.as(w.instructor)).gradebook.view({ courseId: w.courseId });
  return Object.fromEntries(
    view.rows.map((r) => [r.student.name, r.cells[0]?.best === null ? null : Math.round((r.cells[0]?.best ?? 0) * 100)]),
  );
};

describe("regrade: start → status (old → new) → apply", () => {
  it("previews without changing any grade, then applies every finished preview at once", async () => {
    const teacher = await w.as(w.instructor);
    expect(await scores(w)).toEqual({ other: 100, student: 80, "Tess Assistant": null });

    const started = await teacher.regrade.start({ assignmentId: w.assignment.id });
    expect(started.jobs).toBe(3);
    let status = await teacher.regrade.status({ regradeId: started.regradeId });
    expect(status.regrade).toMatchObject({ status: "previewing", createdBy: w.instructor.id });
    expect(status.counts).toEqual({ queued: 3, running: 0, done: 0, dead: 0, cancelled: 0, total: 3 });
    expect(status.canApply).toBe(false);
    expect(rows(status)).toEqual([
      ["other", 100, 100, 0, 1, 0],
      ["student", 80, 80, 0, 2, 0],
    ]);
    await expect(teacher.regrade.commit({ regradeId: started.regradeId })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/3 of 3 preview jobs are still being graded/) as unknown,
    });
    await expect(teacher.regrade.start({ assignmentId: w.assignment.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/already being previewed/) as unknown,
    });
    expect((await teacher.regrade.forAssignment({ assignmentId: w.assignment.id })).previewing).toBe(started.regradeId);

    // The grader finishes the previews: everything now scores 0.25 (late factor still applies).
    await gradeQueue(w.db, w.clock.now(), (job) => (job.purpose === "preview" ? verdict("failed", 0.25) : verdict("error", 0)));
    status = await teacher.regrade.status({ regradeId: started.regradeId });
    expect(status.canApply).toBe(true);
    expect(rows(status)).toEqual([
      ["other", 100, 25, 1, 0, 0],
      // max(0.25 on time, 0.25 × 0.8 late) = 25
      ["student", 80, 25, 2, 0, 0],
    ]);
    // Still nothing visible to students or in the gradebook.
    expect(await scores(w)).toEqual({ other: 100, student: 80, "Tess Assistant": null });
    const before = await (await w.as(w.other)).submission.byId({ submissionId: subs.other });
    expect(before.verdict).toMatchObject({ status: "passed", score: 1 });
    const mine = await (await w.as(w.student)).assignment.byId({ assignmentId: w.assignment.id });
    expect(mine.submissions.map((s) => s.verdictStatus)).toEqual(["passed", "failed"]);
    // The live status stream reads the grading job, not the newer (finished) preview.
    const grading = await w.db.kysely
      .selectFrom("jobs")
      .select("id")
      .where("submission_id", "=", subs.other)
      .where("purpose", "=", "grade")
      .executeTakeFirstOrThrow();
    const stream = (await (await w.as(w.other)).submission.watch({ submissionId: subs.other })) as AsyncIterable<WatchUpdate>;
    for await (const update of stream) {
      expect(update.job?.id).toBe(grading.id);
      expect(update.verdict).toMatchObject({ status: "passed", score: 1 });
      break;
    }

    expect(await teacher.regrade.commit({ regradeId: started.regradeId })).toEqual({
      status: "applied",
      applied: 3,
      unchanged: 0,
      changed: 3,
    });
    expect(await scores(w)).toEqual({ other: 25, student: 25, "Tess Assistant": null });
    const after = await (await w.as(w.other)).submission.byId({ submissionId: subs.other });
    expect(after.verdict).toMatchObject({ status: "failed", score: 0.25 });
    // The applied regrade still shows what changed.
    status = await teacher.regrade.status({ regradeId: started.regradeId });
    expect(status.regrade.status).toBe("applied");
    expect(rows(status)).toEqual([
      ["other", 100, 25, 1, 0, 0],
      ["student", 80, 25, 2, 0, 0],
    ]);
    await expect(teacher.regrade.commit({ regradeId: started.regradeId })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/already applied/) as unknown,
    });
    await expect(teacher.regrade.discard({ regradeId: started.regradeId })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("keeps the old grade of a submission whose preview died, and says so", async () => {
    const teacher = await w.as(w.instructor);
    const { regradeId } = await teacher.regrade.start({ assignmentId: w.assignment.id });
    await gradeQueue(w.db, w.clock.now(), (job) => (job.submissionId === subs.other ? "dead" : verdict("passed", 1)));
    const status = await teacher.regrade.status({ regradeId });
    expect(status.counts).toMatchObject({ done: 2, dead: 1 });
    expect(rows(status)).toEqual([
      ["other", 100, 100, 0, 0, 1],
      ["student", 80, 100, 2, 0, 0],
    ]);
    // The dead preview is a dead letter of the course while the regrade is open.
    const letters = (await teacher.jobs.list({ courseId: w.courseId })).failures;
    expect(letters.map((l) => [l.purpose, l.submissionId])).toEqual([["preview", subs.other]]);
    expect(await teacher.regrade.commit({ regradeId })).toEqual({ status: "applied", applied: 2, unchanged: 1, changed: 1 });
    expect(await scores(w)).toEqual({ other: 100, student: 100, "Tess Assistant": null });
    expect((await teacher.jobs.list({ courseId: w.courseId })).failures).toEqual([]);
  });

  it("discards: previews are cancelled and nothing changes", async () => {
    const teacher = await w.as(w.instructor);
    const { regradeId } = await teacher.regrade.start({ assignmentId: w.assignment.id });
    expect(await teacher.regrade.discard({ regradeId })).toEqual({ status: "discarded", cancelled: 3 });
    expect(await gradeQueue(w.db, w.clock.now(), () => verdict("failed", 0))).toBe(0);
    expect(await scores(w)).toEqual({ other: 100, student: 80, "Tess Assistant": null });
    const list = await teacher.regrade.forAssignment({ assignmentId: w.assignment.id });
    expect(list.previewing).toBeNull();
    expect(list.regrades.map((r) => [r.id, r.status])).toEqual([[regradeId, "discarded"]]);
    // A new regrade may start once the previous one is closed.
    await expect(teacher.regrade.start({ assignmentId: w.assignment.id })).resolves.toMatchObject({ jobs: 3 });
  });

  it("refuses an assignment without submissions, unknown ids and extra input keys", async () => {
    const teacher = await w.as(w.instructor);
    const empty = await w.addAssignment({});
    await expect(teacher.regrade.start({ assignmentId: empty.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/no submissions yet/) as unknown,
    });
    await expect(teacher.regrade.start({ assignmentId: "missing" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(teacher.regrade.status({ regradeId: "missing" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(teacher.regrade.commit({ regradeId: "missing" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(teacher.regrade.start({ assignmentId: w.assignment.id, createdBy: w.student.id } as never)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
