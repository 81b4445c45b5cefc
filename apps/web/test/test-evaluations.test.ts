import type { SubmissionPayload } from "@stepwise/core/contracts";
import {
  createAssignment,
  recordTestEvaluationResult,
  submissionsFor,
  testEvaluationsOf,
  testEvaluationsUsed,
  type Assignment,
} from "@stepwise/db";
import { solutions } from "@stepwise/exercises/solutions";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gradeQueue, instructorWorld, verdict, type InstructorWorld } from "./gradebook-helpers";
import { validPayload } from "./helpers";

const STEP7 = "mnist-regularize";
const refusal = (used: number, limit: number) =>
  `You have used ${used} of ${limit} evaluations on the hidden test set for this assignment. Choose your configuration on the validation curves (Debugging, Tune); your instructor can allow more.`;

function step7Payload(): SubmissionPayload {
  const payload = solutions[STEP7]?.reference;
  if (!payload) throw new Error(`no reference solution for ${STEP7}`);
  return payload;
}

let w: InstructorWorld;
let step7: Assignment;
beforeEach(async () => {
  w = await instructorWorld();
  step7 = await createAssignment(
    w.db,
    {
      courseId: w.courseId,
      exerciseId: STEP7,
      title: "Regularize",
      overrides: { toolbox: { testEvaluations: 2 } },
      deadline: null,
      attemptsAllowed: 10,
      position: 7,
    },
    w.clock.now(),
  );
});
afterEach(async () => {
  await w.cleanup();
});

const submit = async (assignmentId = step7.id, payload = step7Payload()) =>
  (await w.as(w.student)).submission.create({ assignmentId, payload });
const view = async () => (await (await w.as(w.student)).assignment.byId({ assignmentId: step7.id })).assignment;

describe("test evaluations on step 7", () => {
  it("counts each graded submission; at the limit refuses with the reason, storing nothing and costing no attempt", async () => {
    expect(await view()).toMatchObject({ testEvaluations: { used: 0, limit: 2 }, attemptsUsed: 0 });
    await submit();
    await submit();
    expect(await view()).toMatchObject({ testEvaluations: { used: 2, limit: 2 }, attemptsUsed: 2 });
    await expect(submit()).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: refusal(2, 2) });
    expect(await submissionsFor(w.db, { assignmentId: step7.id, userId: w.student.id })).toHaveLength(2);
    expect(await view()).toMatchObject({ testEvaluations: { used: 2, limit: 2 }, attemptsUsed: 2 });
    // Another student has their own evaluations.
    await expect((await w.as(w.other)).submission.create({ assignmentId: step7.id, payload: step7Payload() })).resolves.toMatchObject({
      status: "queued",
    });
  });

  it("gives the evaluation back when the grader rejected the submission before touching the test set", async () => {
    await submit();
    await submit();
    let first = true;
    await gradeQueue(w.db, w.clock.now(), () => {
      const v = first ? verdict("invalid", 0) : verdict("passed", 1);
      first = false;
      return v;
    });
    expect(await view()).toMatchObject({ testEvaluations: { used: 1, limit: 2 } });
    await expect(submit()).resolves.toMatchObject({ status: "queued" });
    await expect(submit()).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: refusal(2, 2) });
  });

  it("holds the limit under concurrent requests: of 6 at once with a limit of 2, exactly 2 are stored", async () => {
    const caller = await w.as(w.student);
    // The per-minute rate limit (5) is checked before the transaction; it is not what stops these.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => caller.submission.create({ assignmentId: step7.id, payload: step7Payload() })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected"))
      expect(o.reason).toMatchObject({ code: "PRECONDITION_FAILED", message: refusal(2, 2) });
    expect(await submissionsFor(w.db, { assignmentId: step7.id, userId: w.student.id })).toHaveLength(2);
    expect(await testEvaluationsUsed(w.db, step7.id, w.student.id)).toBe(2);
  });

  it("never counts an instructor's regrade", async () => {
    await submit();
    await gradeQueue(w.db, w.clock.now(), () => verdict("passed", 1));
    const teacher = await w.as(w.instructor);
    const { regradeId } = await teacher.regrade.start({ assignmentId: step7.id });
    await gradeQueue(w.db, w.clock.now(), () => verdict("failed", 0.5));
    await teacher.regrade.commit({ regradeId });
    expect(await testEvaluationsOf(w.db, step7.id, w.student.id)).toHaveLength(1);
    expect(await view()).toMatchObject({ testEvaluations: { used: 1, limit: 2 } });
  });

  it("leaves steps 5 and 6 alone: no limit shown, nothing counted", async () => {
    const caller = await w.as(w.student);
    await caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    expect((await caller.assignment.byId({ assignmentId: w.assignment.id })).assignment.testEvaluations).toBeNull();
    expect(await testEvaluationsOf(w.db, w.assignment.id, w.student.id)).toEqual([]);
  });
});

describe("the gradebook on step 7", () => {
  it("takes the latest test evaluation, not the best, and shows a configuration chosen on test with its evidence", async () => {
    await w.db.kysely
      .updateTable("assignments")
      .set({ overrides: JSON.stringify({ toolbox: { testEvaluations: 5 } }) })
      .where("id", "=", step7.id)
      .execute();
    const a = await submit();
    w.clock.advance(60_000);
    const b = await submit();
    const scores = new Map([
      [a.submissionId, 1],
      [b.submissionId, 0.6],
    ]);
    await gradeQueue(w.db, w.clock.now(), (job) =>
      verdict((scores.get(job.submissionId) ?? 0) === 1 ? "passed" : "failed", scores.get(job.submissionId) ?? 0),
    );
    const [first, second] = await testEvaluationsOf(w.db, step7.id, w.student.id);
    if (!first || !second) throw new Error("two evaluations expected");
    await recordTestEvaluationResult(w.db, first.id, {
      validationMetric: 0.9,
      validationMetricName: "valAccuracy",
      testMetric: 0.88,
      configKey: "a",
      now: w.clock.now(),
    });
    // b was submitted before a's result was recorded in this replay; a later submission c sees it.
    w.clock.advance(60_000);
    const c = await submit();
    const { flag } = await recordTestEvaluationResult(w.db, (await testEvaluationsOf(w.db, step7.id, w.student.id))[2]?.id ?? "", {
      validationMetric: 0.85,
      validationMetricName: "valAccuracy",
      testMetric: 0.91,
      configKey: "c",
      now: w.clock.now(),
    });
    expect(flag?.earlier).toMatchObject({ evaluationId: first.id, validationMetric: 0.9, testMetric: 0.88 });
    await gradeQueue(w.db, w.clock.now(), () => verdict("failed", 0.7));

    const teacher = await w.as(w.instructor);
    const book = await teacher.gradebook.view({ courseId: w.courseId, assignmentId: step7.id });
    const cell = book.rows.find((r) => r.student.id === w.student.id)?.cells[0];
    // Latest evaluation (c, 0.7), although a scored 1.
    expect(cell).toMatchObject({
      best: 0.7,
      bestSubmissionId: c.submissionId,
      rule: "latest-test-evaluation",
      selectedOnTest: { submissionId: c.submissionId },
    });
    const drill = await teacher.gradebook.cell({ assignmentId: step7.id, userId: w.student.id });
    expect(drill.attempts.map((x) => [x.submissionId, x.selectedOnTest?.current.testMetric ?? null])).toEqual([
      [c.submissionId, 0.91],
      [b.submissionId, null],
      [a.submissionId, null],
    ]);
    // Step 5 keeps the best attempt.
    expect(book.rows.find((r) => r.student.id === w.other.id)?.cells[0]).toMatchObject({
      rule: "latest-test-evaluation",
      best: null,
      selectedOnTest: null,
    });
    const step5 = await teacher.gradebook.view({ courseId: w.courseId, assignmentId: w.assignment.id });
    expect(step5.rows[0]?.cells[0]?.rule).toBe("best");
  });
});
