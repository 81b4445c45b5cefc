import { describe, expect, it } from "vitest";
import {
  assignmentById,
  assignmentsForCourse,
  courseById,
  courseByJoinCode,
  coursesForUser,
  createAssignment,
  createCourse,
  enroll,
  membership,
} from "../src/index";
import { testDialects, createTestUser } from "../src/testing";
import { useTestDb } from "./helpers";

describe.each(testDialects)("courses and assignments on %s", (dialect) => {
  const t = useTestDb(dialect, "all");

  it("finds a course by id and by join code, case-insensitively", async () => {
    const { db } = t();
    const course = await createCourse(db, { title: "ML in practice" }, 7);
    expect(course.joinCode).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(course.archived).toBe(false);
    expect(await courseById(db, course.id)).toEqual(course);
    expect(await courseByJoinCode(db, course.joinCode.toLowerCase())).toEqual(course);
    expect(await courseByJoinCode(db, "NOPE0000")).toBeNull();
    await expect(createCourse(db, { title: "Clash", joinCode: course.joinCode }, 8)).rejects.toThrow();
  });

  it("enrolls idempotently and never demotes an instructor", async () => {
    const { db } = t();
    const course = await createCourse(db, { title: "Enrolment" }, 1);
    const teacher = await createTestUser(db, { email: `t-${dialect}@example.test`, name: "T", role: "instructor", password: "pw" }, 1);
    const student = await createTestUser(db, { email: `s-${dialect}@example.test`, name: "S", role: "student", password: "pw" }, 1);
    await enroll(db, { courseId: course.id, userId: teacher.id, role: "instructor" }, 2);
    await enroll(db, { courseId: course.id, userId: teacher.id, role: "student" }, 3);
    await enroll(db, { courseId: course.id, userId: student.id, role: "student" }, 2);
    await enroll(db, { courseId: course.id, userId: student.id, role: "student" }, 4);
    expect(await membership(db, course.id, teacher.id)).toBe("instructor");
    expect(await membership(db, course.id, student.id)).toBe("student");
    const rows = await db.kysely.selectFrom("enrollments").selectAll().where("course_id", "=", course.id).execute();
    expect(rows).toHaveLength(2);
    expect(await coursesForUser(db, student.id)).toEqual([{ ...course, role: "student" }]);
    const outsider = await createTestUser(db, { email: `o-${dialect}@example.test`, name: "O", role: "student", password: "pw" }, 1);
    expect(await membership(db, course.id, outsider.id)).toBeNull();
    expect(await coursesForUser(db, outsider.id)).toEqual([]);
  });

  it("lists assignments by position and round-trips overrides", async () => {
    const { db } = t();
    const course = await createCourse(db, { title: "Assignments" }, 1);
    const base = { courseId: course.id, deadline: null, attemptsAllowed: null };
    const second = await createAssignment(
      db,
      {
        ...base,
        exerciseId: "imdb-step-6-overfit",
        title: "Overfit",
        overrides: { budgets: { epochs: 20 }, seed: 7 },
        position: 2,
        deadline: Date.UTC(2031, 5, 1),
      },
      10,
    );
    const first = await createAssignment(
      db,
      { ...base, exerciseId: "mnist-step-5-baseline", title: "Baseline", overrides: {}, position: 1, attemptsAllowed: 3 },
      11,
    );
    expect((await assignmentsForCourse(db, course.id)).map((a) => a.title)).toEqual(["Baseline", "Overfit"]);
    expect(await assignmentById(db, second.id)).toEqual(second);
    expect(second.overrides).toEqual({ budgets: { epochs: 20 }, seed: 7 });
    expect(second.deadline).toBe(Date.UTC(2031, 5, 1));
    expect(first.attemptsAllowed).toBe(3);
    expect(await assignmentById(db, "missing")).toBeNull();
  });
});
