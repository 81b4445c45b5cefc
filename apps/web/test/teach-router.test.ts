import { assignmentById, courseById, courseByJoinCode, membership, submissionsFor } from "@stepwise/db";
import { createTestUser } from "@stepwise/db/testing";
import { getExercise, listExercises } from "@stepwise/exercises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validPayload, world, type World } from "./helpers";

/** What the course's instructor can do with each teach procedure (the denied callers are in teach-access.test.ts). */
let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

const teacher = () => w.as(w.instructor);

describe("courses", () => {
  it("createCourse makes the caller its instructor with default settings; courses and course list it", async () => {
    const caller = await teacher();
    // Courses list oldest first; the world's course was made at the clock's start.
    w.clock.advance(1_000);
    const created = await caller.course.create({ title: "  Spring ML  " });
    expect(created).toMatchObject({ title: "Spring ML", archived: false, settings: { defaultAttempts: 10 } });
    expect(created.joinCode).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(await membership(w.db, created.id, w.instructor.id)).toBe("instructor");
    expect((await caller.course.taught()).map((c) => c.title)).toEqual(["Test course", "Spring ML"]);
    expect(await caller.course.overview({ courseId: created.id })).toEqual({ course: created, assignments: [] });
    const withPolicy = await caller.course.create({
      title: "Strict",
      settings: { defaultAttempts: 3, latePenalty: { perDay: 0.2, maxDaysLate: 2 } },
    });
    // New courses are guided unless the settings say otherwise.
    expect(withPolicy.settings).toEqual({ defaultAttempts: 3, latePenalty: { perDay: 0.2, maxDaysLate: 2 }, mode: "guided" });
    const free = await caller.course.create({ title: "Free", settings: { defaultAttempts: 3, mode: "independent" } });
    expect(free.settings).toEqual({ defaultAttempts: 3, mode: "independent" });
    await expect(caller.course.create({ title: "   " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/Enter a course title/) as unknown,
    });
  });

  it("updateCourse changes the title and settings; invalid settings name the field", async () => {
    const caller = await teacher();
    const updated = await caller.course.update({
      courseId: w.courseId,
      title: "Renamed",
      settings: { defaultAttempts: 4, latePenalty: { perDay: 0.25, maxDaysLate: 3 } },
    });
    expect(updated).toMatchObject({ title: "Renamed", settings: { defaultAttempts: 4, latePenalty: { perDay: 0.25, maxDaysLate: 3 } } });
    expect((await courseById(w.db, w.courseId))?.title).toBe("Renamed");
    await expect(
      caller.course.update({ courseId: w.courseId, settings: { defaultAttempts: 4, latePenalty: { perDay: 2, maxDaysLate: 3 } } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/settings\.latePenalty\.perDay/) as unknown,
    });
  });

  it("archiveCourse archives (students can no longer join) and unarchives", async () => {
    const caller = await teacher();
    const { joinCode } = (await caller.course.overview({ courseId: w.courseId })).course;
    expect(await caller.course.archive({ courseId: w.courseId, archived: true })).toEqual({ archived: true });
    const newcomer = await createTestUser(
      w.db,
      { email: "new@example.test", name: "New", role: "student", password: "new-password" },
      w.clock.now(),
    );
    await expect((await w.as(newcomer)).course.join({ code: joinCode })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await caller.course.archive({ courseId: w.courseId, archived: false });
    await expect((await w.as(newcomer)).course.join({ code: joinCode })).resolves.toMatchObject({ alreadyEnrolled: false });
  });

  it("rotateJoinCode gives a new code; the old one stops working for students", async () => {
    const caller = await teacher();
    const old = (await caller.course.overview({ courseId: w.courseId })).course.joinCode;
    const { joinCode } = await caller.course.rotateJoinCode({ courseId: w.courseId });
    expect(joinCode).not.toBe(old);
    expect(await courseByJoinCode(w.db, old)).toBeNull();
    const newcomer = await createTestUser(
      w.db,
      { email: "late@example.test", name: "Late", role: "student", password: "late-password" },
      w.clock.now(),
    );
    const student = await w.as(newcomer);
    await expect(student.course.join({ code: old })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(student.course.join({ code: joinCode })).resolves.toMatchObject({ course: { id: w.courseId } });
  });
});

describe("members", () => {
  it("lists instructors and students; a co-instructor teaches only once they accept the invitation; never removes the last instructor", async () => {
    const caller = await teacher();
    const members = await caller.course.members({ courseId: w.courseId });
    expect(members.instructors.map((m) => m.email)).toEqual(["teacher@example.test"]);
    expect(members.students.map((m) => m.email).sort()).toEqual(["other@example.test", "student@example.test"]);

    const co = await createTestUser(
      w.db,
      { email: "co@example.test", name: "Co", role: "instructor", password: "co-password" },
      w.clock.now(),
    );
    const { link, invitation } = await caller.invitation.create({ courseId: w.courseId, email: "CO@example.test" });
    expect(invitation.email).toBe("co@example.test");
    const token = new URL(link, "http://x").searchParams.get("token") ?? "";
    const coCaller = await w.as(co);
    // Invited is not teaching: no access before acceptance.
    await expect(coCaller.course.overview({ courseId: w.courseId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await caller.invitation.pending({ courseId: w.courseId })).map((i) => i.email)).toEqual(["co@example.test"]);
    // Someone else signed in with the link sees it is not theirs and cannot use it.
    const outsider = await w.as(w.outsider);
    await expect(outsider.invitation.byToken({ token })).resolves.toMatchObject({
      courseId: w.courseId,
      forCaller: false,
      state: "pending",
    });
    await expect(outsider.invitation.accept({ token })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await w.as(null)).invitation.accept({ token })).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    await expect(coCaller.invitation.accept({ token })).resolves.toEqual({ courseId: w.courseId });
    await expect(coCaller.course.overview({ courseId: w.courseId })).resolves.toMatchObject({ course: { id: w.courseId } });
    await expect(coCaller.invitation.accept({ token })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/accepted already/) as unknown,
    });
    expect(await caller.invitation.pending({ courseId: w.courseId })).toEqual([]);

    await expect(caller.invitation.create({ courseId: w.courseId, email: "co@example.test" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    await expect(caller.invitation.create({ courseId: w.courseId, email: "not an email" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(coCaller.invitation.byToken({ token: "never-issued" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // A revoked link stops working at once.
    const revoked = await caller.invitation.create({ courseId: w.courseId, email: "outsider@example.test" });
    await caller.invitation.revoke({ courseId: w.courseId, invitationId: revoked.invitation.id });
    const revokedToken = new URL(revoked.link, "http://x").searchParams.get("token") ?? "";
    await expect(outsider.invitation.accept({ token: revokedToken })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/withdrawn/) as unknown,
    });

    await caller.course.removeInstructor({ courseId: w.courseId, userId: co.id });
    await expect((await w.as(co)).course.overview({ courseId: w.courseId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.course.removeInstructor({ courseId: w.courseId, userId: w.instructor.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/at least one instructor/) as unknown,
    });
  });
});

describe("assignments", () => {
  it("catalog lists every exercise with its default budgets, thresholds and check ids", async () => {
    const entries = await (await teacher()).assignment.catalog();
    expect(entries.map((e) => e.id)).toEqual(listExercises().map((e) => e.id));
    const mnist = getExercise("mnist-beat-baseline");
    expect(entries.find((e) => e.id === mnist.id)).toMatchObject({
      step: 5,
      budgets: mnist.budgets,
      baseline: 0.1,
      seed: mnist.seed,
      checks: expect.arrayContaining(["beats-baseline"]) as unknown,
    });
    expect(entries.find((e) => e.id === "mnist-define-problem")).toMatchObject({ kind: "answer", budgets: null });
  });

  it("createAssignment places an exercise with overrides, the course's default attempts and the next position", async () => {
    const caller = await teacher();
    await caller.course.update({ courseId: w.courseId, settings: { defaultAttempts: 7 } });
    const created = await caller.assignment.create({
      courseId: w.courseId,
      exerciseId: "mnist-overfit",
      overrides: { budgets: { maxEpochs: 5 }, seeds: 2, visibility: { overfits: "after_deadline" }, hints: ["Go wide."] },
      deadline: Date.UTC(2026, 1, 1),
    });
    expect(created).toMatchObject({
      exerciseId: "mnist-overfit",
      title: getExercise("mnist-overfit").title,
      overrides: { budgets: { maxEpochs: 5 }, seeds: 2, visibility: { overfits: "after_deadline" }, hints: ["Go wide."] },
      deadline: Date.UTC(2026, 1, 1),
      attemptsAllowed: 7,
      position: 6,
    });
    // The student sees the override in force.
    const view = await (await w.as(w.student)).assignment.byId({ assignmentId: created.id });
    expect(view.exercise.budgets.maxEpochs).toBe(5);
    const unlimited = await caller.assignment.create({
      courseId: w.courseId,
      exerciseId: "mnist-regularize",
      title: "Regularize!",
      attemptsAllowed: null,
      position: 9,
    });
    expect(unlimited).toMatchObject({ title: "Regularize!", attemptsAllowed: null, position: 9 });
    expect((await caller.course.overview({ courseId: w.courseId })).assignments.map((a) => a.position)).toEqual([5, 6, 9]);
  });

  it.each([
    [
      "an unknown exercise",
      { exerciseId: "mnist-step-99" },
      "NOT_FOUND",
      /Unknown exercise "mnist-step-99"; expected one of: mnist-define-problem/,
    ],
    ["a budget below its minimum", { overrides: { budgets: { maxEpochs: 0 } } }, "BAD_REQUEST", /overrides\.budgets\.maxEpochs/],
    ["a misspelt override key", { overrides: { treshold: 0.9 } }, "BAD_REQUEST", /overrides: Unrecognized key: "treshold"/],
    [
      "an unknown check visibility",
      { overrides: { visibility: { overfits: "sometimes" } } },
      "BAD_REQUEST",
      /overrides\.visibility\.overfits/,
    ],
    [
      "a CSV the course does not hold",
      { exerciseId: "credit-choose-metric", overrides: { dataset: { kind: "csv", file: "data/none.csv", target: "y", task: "binary" } } },
      "BAD_REQUEST",
      /^Overrides\.dataset\.file: expected a CSV file in the course folder/,
    ],
    [
      "a dataset the exercise cannot use",
      { exerciseId: "mnist-define-problem", overrides: { dataset: { kind: "imdb" } } },
      "BAD_REQUEST",
      /^Overrides\.dataset\.kind: expected "mnist"/,
    ],
  ])("createAssignment refuses %s, naming the field", async (_case, change, code, message) => {
    const caller = await teacher();
    const input = { courseId: w.courseId, exerciseId: "mnist-beat-baseline", ...change } as Parameters<typeof caller.assignment.create>[0];
    await expect(caller.assignment.create(input)).rejects.toMatchObject({ code, message: expect.stringMatching(message) as unknown });
    expect((await caller.course.overview({ courseId: w.courseId })).assignments).toHaveLength(1);
  });

  it("updateAssignment changes overrides, deadline, attempts, title and position; the exercise stays", async () => {
    const caller = await teacher();
    const updated = await caller.assignment.update({
      assignmentId: w.assignment.id,
      title: "Beat it",
      overrides: {
        target: 0.9,
        baseline: 0.2,
        budgets: { maxParams: 1000 },
        seed: 42,
        seeds: 3,
        latePenalty: { perDay: 0.5, maxDaysLate: 1 },
      },
      deadline: Date.UTC(2026, 2, 1),
      attemptsAllowed: 2,
      position: 1,
    });
    expect(updated).toMatchObject({
      exerciseId: "mnist-beat-baseline",
      title: "Beat it",
      deadline: Date.UTC(2026, 2, 1),
      attemptsAllowed: 2,
      position: 1,
    });
    expect((await assignmentById(w.db, w.assignment.id))?.overrides).toEqual({
      target: 0.9,
      baseline: 0.2,
      budgets: { maxParams: 1000 },
      seed: 42,
      seeds: 3,
      latePenalty: { perDay: 0.5, maxDaysLate: 1 },
    });
    const blankTitle = await caller.assignment.update({ assignmentId: w.assignment.id, title: "", deadline: null });
    expect(blankTitle).toMatchObject({ title: getExercise("mnist-beat-baseline").title, deadline: null, attemptsAllowed: 2 });
    await expect(caller.assignment.update({ assignmentId: w.assignment.id, exerciseId: "mnist-overfit" } as never)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("the assignment view has the course, the assignment, its extensions and the students", async () => {
    const caller = await teacher();
    await caller.assignment.setExtension({ assignmentId: w.assignment.id, userId: w.student.id, deadline: Date.UTC(2026, 5, 1) });
    const view = await caller.assignment.overview({ assignmentId: w.assignment.id });
    expect(view.course.id).toBe(w.courseId);
    expect(view.assignment).toMatchObject({ id: w.assignment.id, step: 5, exerciseTitle: getExercise("mnist-beat-baseline").title });
    expect(view.extensions).toEqual([
      expect.objectContaining({ userId: w.student.id, email: "student@example.test", deadline: Date.UTC(2026, 5, 1) }),
    ]);
    expect(view.students.map((s) => s.email).sort()).toEqual(["other@example.test", "student@example.test"]);
  });

  it("deleteAssignment deletes one without submissions and refuses one with", async () => {
    const caller = await teacher();
    const spare = await caller.assignment.create({ courseId: w.courseId, exerciseId: "mnist-overfit" });
    await expect(caller.assignment.delete({ assignmentId: spare.id })).resolves.toEqual({ deleted: spare.id });
    expect(await assignmentById(w.db, spare.id)).toBeNull();
    await (await w.as(w.student)).submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    await expect(caller.assignment.delete({ assignmentId: w.assignment.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/has 1 submission and cannot be deleted/) as unknown,
    });
    expect(await submissionsFor(w.db, { assignmentId: w.assignment.id, userId: w.student.id })).toHaveLength(1);
  });

  it("setExtension and clearExtension manage a student's own deadline; only for the course's students", async () => {
    const caller = await teacher();
    const ext = await caller.assignment.setExtension({ assignmentId: w.assignment.id, userId: w.student.id, deadline: 123_000 });
    expect(ext).toMatchObject({ userId: w.student.id, deadline: 123_000 });
    await expect(
      caller.assignment.setExtension({ assignmentId: w.assignment.id, userId: w.outsider.id, deadline: 1 }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/not enrolled as a student/) as unknown,
    });
    expect(await caller.assignment.clearExtension({ assignmentId: w.assignment.id, userId: w.student.id })).toEqual({ cleared: true });
    expect(await caller.assignment.clearExtension({ assignmentId: w.assignment.id, userId: w.student.id })).toEqual({ cleared: false });
    expect((await caller.assignment.overview({ assignmentId: w.assignment.id })).extensions).toEqual([]);
  });
});
