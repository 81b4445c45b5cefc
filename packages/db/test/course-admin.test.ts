import { NotFoundError, ValidationError } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import {
  assignmentById,
  assignmentsForCourse,
  clearExtension,
  courseById,
  courseByJoinCode,
  courseDataFiles,
  courseMembers,
  createAssignment,
  createCourse,
  deleteAssignment,
  enroll,
  extensionDeadline,
  extensionsFor,
  importCourse,
  membership,
  removeCourseInstructor,
  rotateJoinCode,
  setExtension,
  updateAssignment,
  updateCourse,
} from "../src/index";
import { seedCourse, testDialects, createTestUser } from "../src/testing";
import { submit, useTestDb } from "./helpers";

describe.each(testDialects)("course administration on %s", (dialect) => {
  const t = useTestDb(dialect, "all");
  let n = 0;
  const user = (role: "student" | "instructor" | "admin") =>
    createTestUser(t().db, { email: `${role}${++n}-${dialect}@example.test`, name: `${role} ${n}`, role, password: "pw" }, 1);

  it("updates the title and settings, and refuses an empty title or an unknown course", async () => {
    const { db } = t();
    const course = await createCourse(db, { title: "Before", settings: { defaultAttempts: 3 } }, 1);
    // New courses are guided; the mode reads back among the settings, stored in its own column.
    expect(course.settings).toEqual({ defaultAttempts: 3, mode: "guided" });
    expect(course.mode).toBe("guided");
    const updated = await updateCourse(db, course.id, {
      title: "  After ",
      settings: { defaultAttempts: 5, latePenalty: { perDay: 0.1, maxDaysLate: 2 } },
    });
    expect(updated).toEqual({
      ...course,
      title: "After",
      settings: { defaultAttempts: 5, latePenalty: { perDay: 0.1, maxDaysLate: 2 }, mode: "guided" },
    });
    const stored = await db.kysely.selectFrom("courses").select(["settings", "mode"]).where("id", "=", course.id).executeTakeFirstOrThrow();
    expect([JSON.parse(stored.settings), stored.mode]).toEqual([
      { defaultAttempts: 5, latePenalty: { perDay: 0.1, maxDaysLate: 2 } },
      "guided",
    ]);
    expect(await courseById(db, course.id)).toEqual(updated);
    expect(await updateCourse(db, course.id, { title: "Only the title" })).toMatchObject({ settings: updated.settings });
    await expect(updateCourse(db, course.id, { title: "   " })).rejects.toThrow(ValidationError);
    await expect(updateCourse(db, "missing", { title: "x" })).rejects.toThrow(NotFoundError);
  });

  it("rotates the join code: the new one finds the course, the old one no longer does", async () => {
    const { db } = t();
    const course = await createCourse(db, { title: "Rotating" }, 1);
    const rotated = await rotateJoinCode(db, course.id);
    expect(rotated.joinCode).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(rotated.joinCode).not.toBe(course.joinCode);
    expect(await courseByJoinCode(db, course.joinCode)).toBeNull();
    expect((await courseByJoinCode(db, rotated.joinCode))?.id).toBe(course.id);
    await expect(rotateJoinCode(db, "missing")).rejects.toThrow(NotFoundError);
  });

  it("lists instructors and students and never removes the last instructor", async () => {
    const { db } = t();
    const course = await createCourse(db, { title: "Team" }, 1);
    const [lead, coTeacher, student] = [await user("instructor"), await user("instructor"), await user("student")];
    await enroll(db, { courseId: course.id, userId: lead.id, role: "instructor" }, 10);
    await enroll(db, { courseId: course.id, userId: student.id, role: "student" }, 11);
    // Co-teachers come in by accepting an invitation (invitations.test.ts), which enrolls them so.
    await enroll(db, { courseId: course.id, userId: coTeacher.id, role: "instructor" }, 12);
    const members = await courseMembers(db, course.id);
    expect(members.instructors.map((m) => m.email)).toEqual([lead.email, coTeacher.email]);
    expect(members.students.map((m) => m.email)).toEqual([student.email]);

    expect(await membership(db, course.id, student.id)).toBe("student");

    await removeCourseInstructor(db, { courseId: course.id, userId: coTeacher.id });
    expect(await membership(db, course.id, coTeacher.id)).toBeNull();
    await expect(removeCourseInstructor(db, { courseId: course.id, userId: lead.id })).rejects.toThrow(/at least one instructor/);
    await expect(removeCourseInstructor(db, { courseId: course.id, userId: student.id })).rejects.toThrow(NotFoundError);
    expect(await membership(db, course.id, lead.id)).toBe("instructor");
  });

  it("updates an assignment's title, overrides, deadline, attempts and position but not its exercise", async () => {
    const { db } = t();
    const { assignment } = await seedCourse(db, 1);
    const updated = await updateAssignment(db, assignment.id, {
      title: " Beat it ",
      overrides: { budgets: { maxEpochs: 3 }, seeds: 2 },
      deadline: Date.UTC(2031, 0, 1),
      attemptsAllowed: null,
      position: 4,
    });
    expect(updated).toEqual({
      ...assignment,
      title: "Beat it",
      overrides: { budgets: { maxEpochs: 3 }, seeds: 2 },
      deadline: Date.UTC(2031, 0, 1),
      attemptsAllowed: null,
      position: 4,
    });
    expect(await assignmentById(db, assignment.id)).toEqual(updated);
    expect(await updateAssignment(db, assignment.id, { deadline: null })).toEqual({ ...updated, deadline: null });
    await expect(updateAssignment(db, assignment.id, { attemptsAllowed: 0 })).rejects.toThrow(/positive integer/);
    await expect(updateAssignment(db, assignment.id, { title: "" })).rejects.toThrow(ValidationError);
    await expect(updateAssignment(db, "missing", { title: "x" })).rejects.toThrow(NotFoundError);
  });

  it("deletes an assignment without submissions and refuses one with submissions", async () => {
    const { db } = t();
    const fixture = await seedCourse(db, 1);
    const spare = await createAssignment(
      db,
      {
        courseId: fixture.course.id,
        exerciseId: "mnist-overfit",
        title: "Spare",
        overrides: {},
        deadline: null,
        attemptsAllowed: null,
        position: 2,
      },
      1,
    );
    await setExtension(db, { assignmentId: spare.id, userId: fixture.student.id, deadline: 99 }, 2);
    await deleteAssignment(db, spare.id);
    expect(await assignmentById(db, spare.id)).toBeNull();
    expect(await extensionsFor(db, spare.id)).toEqual([]);
    await submit(db, fixture, 3);
    await expect(deleteAssignment(db, fixture.assignment.id)).rejects.toThrow(/"Beat the baseline" has 1 submission and cannot be deleted/);
    expect(await assignmentById(db, fixture.assignment.id)).not.toBeNull();
    await expect(deleteAssignment(db, spare.id)).rejects.toThrow(NotFoundError);
  });

  it("sets, replaces, lists and clears a student's extension; only for enrolled students", async () => {
    const { db } = t();
    const fixture = await seedCourse(db, 1);
    const key = { assignmentId: fixture.assignment.id, userId: fixture.student.id };
    expect(await extensionDeadline(db, key.assignmentId, key.userId)).toBeNull();
    await setExtension(db, { ...key, deadline: 1_000 }, 5);
    const replaced = await setExtension(db, { ...key, deadline: 2_000 }, 6);
    expect(replaced).toEqual({ ...key, email: fixture.student.email, name: fixture.student.name, deadline: 2_000, createdAt: 6 });
    expect(await extensionsFor(db, key.assignmentId)).toEqual([replaced]);
    expect(await extensionDeadline(db, key.assignmentId, key.userId)).toBe(2_000);

    const stranger = await user("student");
    await expect(setExtension(db, { ...key, userId: stranger.id, deadline: 1 }, 7)).rejects.toThrow(/not enrolled as a student/);
    await expect(setExtension(db, { ...key, userId: fixture.instructor.id, deadline: 1 }, 7)).rejects.toThrow(NotFoundError);
    await expect(setExtension(db, { ...key, assignmentId: "missing", deadline: 1 }, 7)).rejects.toThrow(NotFoundError);

    expect(await clearExtension(db, key)).toBe(true);
    expect(await clearExtension(db, key)).toBe(false);
    expect(await extensionDeadline(db, key.assignmentId, key.userId)).toBeNull();
  });

  it("imports a whole course in one transaction and rolls back all of it on failure", async () => {
    const { db } = t();
    const [first, second] = [await user("instructor"), await user("admin")];
    const assignment = {
      exerciseId: "mnist-beat-baseline",
      title: "Baseline",
      overrides: { seed: 7 },
      deadline: null,
      attemptsAllowed: 4,
      position: 1,
    };
    const csv = "x,label\n1,a\n2,b\n";
    const course = await importCourse(
      db,
      {
        title: "Imported",
        settings: { defaultAttempts: 4, mode: "independent" },
        instructorIds: [second.id, first.id],
        assignments: [assignment],
        datasets: [{ file: "data/tiny.csv", csv, rows: 2, columns: ["x", "label"] }],
        createdBy: first.id,
      },
      100,
    );
    expect(await courseById(db, course.id)).toEqual(course);
    expect(course.mode).toBe("independent");
    expect((await courseMembers(db, course.id)).instructors.map((m) => m.userId)).toEqual([second.id, first.id]);
    expect(await assignmentsForCourse(db, course.id)).toEqual([expect.objectContaining({ ...assignment, courseId: course.id })]);
    expect(await courseDataFiles(db, course.id)).toEqual([{ file: "data/tiny.csv", csv, rows: 2, columns: ["x", "label"] }]);

    const before = await db.kysely.selectFrom("courses").select("id").execute();
    await expect(
      importCourse(
        db,
        { title: "Broken", settings: {}, instructorIds: [first.id, "no-such-user"], assignments: [], datasets: [], createdBy: first.id },
        200,
      ),
    ).rejects.toThrow();
    expect(await db.kysely.selectFrom("courses").select("id").execute()).toHaveLength(before.length);
  });
});
