import { createCourse, enroll, type User } from "@stepwise/db";
import { createTestUser } from "@stepwise/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { world, type World } from "./helpers";

/**
 * Who may call each teach procedure. Every course-scoped procedure refuses the course's own
 * students, instructors of other courses and anonymous callers, and changes nothing when it does.
 */
let w: World;
let rival: User;
let admin: User;
beforeEach(async () => {
  w = await world();
  const now = w.clock.now();
  rival = await createTestUser(w.db, { email: "rival@example.test", name: "Rival", role: "instructor", password: "rival-password" }, now);
  admin = await createTestUser(w.db, { email: "admin@example.test", name: "Admin", role: "admin", password: "admin-password" }, now);
  const other = await createCourse(w.db, { title: "Rival's course" }, now);
  await enroll(w.db, { courseId: other.id, userId: rival.id, role: "instructor" }, now);
});
afterEach(async () => {
  await w.cleanup();
});

type Caller = Awaited<ReturnType<World["as"]>>;
type Call = (c: Caller) => Promise<unknown>;

/** Course-scoped procedures, each with an input aimed at the test world's course. */
const scoped: Array<[string, Call]> = [
  ["course", (c) => c.course.overview({ courseId: w.courseId })],
  ["updateCourse", (c) => c.course.update({ courseId: w.courseId, title: "Hijacked" })],
  ["archiveCourse", (c) => c.course.archive({ courseId: w.courseId, archived: true })],
  ["rotateJoinCode", (c) => c.course.rotateJoinCode({ courseId: w.courseId })],
  ["members", (c) => c.course.members({ courseId: w.courseId })],
  ["invitation.create", (c) => c.invitation.create({ courseId: w.courseId, email: "rival@example.test" })],
  ["invitation.pending", (c) => c.invitation.pending({ courseId: w.courseId })],
  ["invitation.revoke", (c) => c.invitation.revoke({ courseId: w.courseId, invitationId: "any" })],
  ["removeInstructor", (c) => c.course.removeInstructor({ courseId: w.courseId, userId: w.instructor.id })],
  ["assignment", (c) => c.assignment.overview({ assignmentId: w.assignment.id })],
  ["createAssignment", (c) => c.assignment.create({ courseId: w.courseId, exerciseId: "mnist-overfit" })],
  ["updateAssignment", (c) => c.assignment.update({ assignmentId: w.assignment.id, attemptsAllowed: 99 })],
  ["deleteAssignment", (c) => c.assignment.delete({ assignmentId: w.assignment.id })],
  ["setExtension", (c) => c.assignment.setExtension({ assignmentId: w.assignment.id, userId: w.student.id, deadline: 1 })],
  ["clearExtension", (c) => c.assignment.clearExtension({ assignmentId: w.assignment.id, userId: w.student.id })],
  ["exportFolder", (c) => c.folder.export({ courseId: w.courseId })],
];

/** Procedures without a course in their input: any instructor may call them, students and anonymous callers may not. */
const unscoped: Array<[string, Call]> = [
  ["courses", (c) => c.course.taught()],
  ["catalog", (c) => c.assignment.catalog()],
  ["createCourse", (c) => c.course.create({ title: "Mine" })],
  ["importFolder", (c) => c.folder.import({ zipBase64: "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==" })],
];

async function snapshot() {
  const q = w.db.kysely;
  return {
    courses: await q.selectFrom("courses").selectAll().orderBy("id").execute(),
    enrollments: await q.selectFrom("enrollments").selectAll().orderBy("course_id").orderBy("user_id").execute(),
    assignments: await q.selectFrom("assignments").selectAll().orderBy("id").execute(),
    extensions: await q.selectFrom("extensions").selectAll().execute(),
    invitations: await q.selectFrom("course_invitations").selectAll().orderBy("id").execute(),
  };
}

describe("teach procedures refuse callers outside the course", () => {
  it.each(scoped)(
    "%s: FORBIDDEN for the course's student and for another course's instructor, UNAUTHORIZED when anonymous; nothing changes",
    async (_name, call) => {
      const before = await snapshot();
      await expect(call(await w.as(w.student))).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(call(await w.as(rival))).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: "Only the instructors of this course may do that.",
      });
      await expect(call(await w.as(null))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each(scoped.filter(([name]) => ["course", "assignment", "members"].includes(name)))(
    "%s: an admin account that does not teach the course is refused too (course scope, not global role)",
    async (_name, call) => {
      await expect(call(await w.as(admin))).rejects.toMatchObject({ code: "FORBIDDEN" });
    },
  );

  it.each(unscoped)("%s: FORBIDDEN for a student account, UNAUTHORIZED when anonymous", async (_name, call) => {
    const before = await snapshot();
    await expect(call(await w.as(w.student))).rejects.toMatchObject({ code: "FORBIDDEN", message: "Only instructors may do that." });
    await expect(call(await w.as(null))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await snapshot()).toEqual(before);
  });

  it("a missing course is FORBIDDEN like someone else's (no probing for course ids); a missing assignment is NOT_FOUND", async () => {
    const caller = await w.as(w.instructor);
    await expect(caller.course.overview({ courseId: "no-such-course" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.assignment.overview({ assignmentId: "no-such-assignment" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("courses lists only the caller's taught courses, never another instructor's or those they take as a student", async () => {
    const rivalCourses = await (await w.as(rival)).course.taught();
    expect(rivalCourses.map((c) => c.title)).toEqual(["Rival's course"]);
    const taken = await createCourse(w.db, { title: "Taken as a student" }, w.clock.now());
    await enroll(w.db, { courseId: taken.id, userId: w.instructor.id, role: "student" }, w.clock.now());
    const mine = await (await w.as(w.instructor)).course.taught();
    expect(mine.map((c) => c.title)).toEqual(["Test course"]);
  });

  it.each([
    ["an extra key naming another user", (c: Caller) => c.course.create({ title: "x", userId: "someone" } as never)],
    [
      "an unknown override key",
      (c: Caller) => c.assignment.update({ assignmentId: w.assignment.id, overrides: { budgets: { maxEpochs: 3 }, grade: 1 } as never }),
    ],
    [
      "an unknown budget key",
      (c: Caller) => c.assignment.update({ assignmentId: w.assignment.id, overrides: { budgets: { epochs: 3 } } as never }),
    ],
  ])("inputs are strict: %s is BAD_REQUEST", async (_case, call) => {
    await expect(call(await w.as(w.instructor))).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
