import { createAssignment, createSubmissionWithJob, DRAFT_MAX_BYTES, enroll, type Assignment, type User } from "@stepwise/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleVerdict as verdict, createTestUser } from "@stepwise/db/testing";
import { gradeQueue, verdict as verdictWithHiddenCheck } from "./gradebook-helpers";
import { validPayload, world, type World } from "./helpers";

/**
 * Drafts: a student's own unsubmitted work, kept on the server per assignment; and where a step-6 or
 * step-7 editor starts when there is no draft (the model that passed the step before).
 */
let w: World;
beforeAll(async () => {
  w = await world();
});
afterAll(async () => {
  await w.cleanup();
});

const content = {
  source: "code" as const,
  code: "const model = tf.sequential();\nreturn model;",
  training: { epochs: "7", learningRate: "0.0" },
};

describe("draft.save and draft.get", () => {
  it("keeps the student's draft and gives it back; another student of the course has none", async () => {
    const student = await w.as(w.student);
    expect(await student.draft.get({ assignmentId: w.assignment.id })).toEqual({ draft: null, start: null });
    const { updatedAt } = await student.draft.save({ assignmentId: w.assignment.id, content });
    expect(updatedAt).toBe(w.clock.now());
    expect(await student.draft.get({ assignmentId: w.assignment.id })).toEqual({ draft: { content, updatedAt }, start: null });
    expect((await (await w.as(w.other)).draft.get({ assignmentId: w.assignment.id })).draft).toBeNull();
  });

  it("keeps an answer step's answers", async () => {
    const student = await w.as(w.student);
    const created = await (await w.as(w.instructor)).assignment.create({ courseId: w.courseId, exerciseId: "mnist-choose-metric" });
    const answers = { metric: "accuracy", note: "balanced classes", classes: 10, shuffled: true };
    await student.draft.save({ assignmentId: created.id, content: { answers } });
    expect((await student.draft.get({ assignmentId: created.id })).draft?.content).toEqual({ answers });
  });

  const denied: Array<[string, () => User | null, string]> = [
    ["an anonymous caller", () => null, "UNAUTHORIZED"],
    ["a student of another course", () => w.outsider, "FORBIDDEN"],
    ["the course's instructor", () => w.instructor, "FORBIDDEN"],
  ];
  it.each(denied)("refuses %s both ways", async (_who, user, code) => {
    const caller = await w.as(user());
    await expect(caller.draft.get({ assignmentId: w.assignment.id })).rejects.toMatchObject({ code });
    await expect(caller.draft.save({ assignmentId: w.assignment.id, content })).rejects.toMatchObject({ code });
  });

  it("says an unknown assignment is not found", async () => {
    await expect((await w.as(w.student)).draft.get({ assignmentId: "no-such-assignment" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses a draft past the size cap with its size and the cap, keeping the saved one", async () => {
    const student = await w.as(w.other);
    await student.draft.save({ assignmentId: w.assignment.id, content });
    const big = { source: "code" as const, code: "x".repeat(DRAFT_MAX_BYTES + 1) };
    await expect(student.draft.save({ assignmentId: w.assignment.id, content: big })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/at most 256 KiB of JSON, got 256\.\d KiB/) as unknown,
    });
    expect((await student.draft.get({ assignmentId: w.assignment.id })).draft?.content).toEqual(content);
  });

  it("refuses content that is not a draft, naming the field", async () => {
    const student = await w.as(w.student);
    const bad = { source: "notebook" } as unknown as typeof content;
    await expect(student.draft.save({ assignmentId: w.assignment.id, content: bad })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/source/) as unknown,
    });
  });
});

describe("draft.get's starting point for steps 6 and 7", () => {
  let overfit: Assignment;
  let student: User;
  const add = (exerciseId: string, title: string, overrides: Record<string, unknown> = {}) =>
    createAssignment(
      w.db,
      { courseId: w.courseId, exerciseId, title, overrides, deadline: null, attemptsAllowed: null, position: 9 },
      w.clock.now(),
    );
  const submitTo = async (assignmentId: string, code: string) => {
    w.clock.advance(60_000);
    const payload = { ...validPayload(), code };
    return (
      await createSubmissionWithJob(w.db, { assignmentId, userId: student.id, exerciseId: payload.exerciseId, payload }, w.clock.now())
    ).submission;
  };

  beforeAll(async () => {
    overfit = await add("mnist-overfit", "Overfit");
    // A fresh student, so the drafts saved above do not count.
    student = await createTestUser(
      w.db,
      { email: "starter@example.test", name: "Starter", role: "student", password: "starter-password" },
      w.clock.now(),
    );
    await enroll(w.db, { courseId: w.courseId, userId: student.id, role: "student" }, w.clock.now());
  });

  it("is the starter (null) while no step-5 submission on the same data has passed", async () => {
    await submitTo(w.assignment.id, "// failed");
    await gradeQueue(w.db, w.clock.now(), () => verdict("failed", 0));
    // Step 5 on another dataset (the house-price table) passing does not count for an MNIST step 6.
    const houses = await add("houses-beat-baseline", "Houses");
    await submitTo(houses.id, "// houses");
    await gradeQueue(w.db, w.clock.now(), () => verdict("passed", 1));
    expect((await (await w.as(student)).draft.get({ assignmentId: overfit.id })).start).toBeNull();
  });

  it("is not a pass the student cannot see yet: a verdict with a hidden check does not reveal itself through the editor", async () => {
    const other = await createTestUser(
      w.db,
      { email: "withheld@example.test", name: "Withheld", role: "student", password: "withheld-password" },
      w.clock.now(),
    );
    await enroll(w.db, { courseId: w.courseId, userId: other.id, role: "student" }, w.clock.now());
    w.clock.advance(60_000);
    await createSubmissionWithJob(
      w.db,
      { assignmentId: w.assignment.id, userId: other.id, exerciseId: validPayload().exerciseId, payload: validPayload() },
      w.clock.now(),
    );
    await gradeQueue(w.db, w.clock.now(), () => verdictWithHiddenCheck("passed", 1));
    expect((await (await w.as(other)).draft.get({ assignmentId: overfit.id })).start).toBeNull();
  });

  it("is the latest passing step-5 model, with its code, settings and date; a later failing one does not replace it", async () => {
    const first = await submitTo(w.assignment.id, "// first pass");
    const second = await submitTo(w.assignment.id, "// second pass");
    await gradeQueue(w.db, w.clock.now(), () => verdict("passed", 1));
    await submitTo(w.assignment.id, "// later failure");
    await gradeQueue(w.db, w.clock.now(), () => verdict("failed", 0));
    const caller = await w.as(student);
    const { start } = await caller.draft.get({ assignmentId: overfit.id });
    expect(first.createdAt).toBeLessThan(second.createdAt);
    expect(start).toMatchObject({
      step: 5,
      submissionId: second.id,
      assignmentId: w.assignment.id,
      submittedAt: second.createdAt,
      code: "// second pass",
      training: validPayload().training,
    });
    expect(start?.model).toEqual(validPayload().model);
    // Step 5 itself starts on its starter; step 7 looks at step 6, where nothing passed yet.
    expect((await caller.draft.get({ assignmentId: w.assignment.id })).start).toBeNull();
    const regularize = await add("mnist-regularize", "Regularize");
    expect((await caller.draft.get({ assignmentId: regularize.id })).start).toBeNull();
    // Once the student has a draft, the draft wins.
    await caller.draft.save({ assignmentId: overfit.id, content });
    expect(await caller.draft.get({ assignmentId: overfit.id })).toMatchObject({ draft: { content }, start: null });
  });
});
