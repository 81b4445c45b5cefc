import { assignmentsForCourse, coursesForUser, verifyPassword } from "@stepwise/db";
import { openTestDb } from "@stepwise/db/testing";
import { listExercises } from "@stepwise/exercises";
import { afterEach, beforeEach, expect, it } from "vitest";
import { seedDemo } from "../src/server/seed";
import { T0 } from "./helpers";

let t: Awaited<ReturnType<typeof openTestDb>>;
beforeEach(async () => {
  t = await openTestDb("sqlite");
});
afterEach(async () => {
  await t.cleanup();
});

async function rowCounts() {
  const tables = ["users", "courses", "enrollments", "assignments"] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await t.db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirst();
    counts[table] = Number(row?.n);
  }
  return counts;
}

it("seeds the demo course once; a second run changes nothing", async () => {
  const first = await seedDemo(t.db, T0);
  const before = await rowCounts();
  const second = await seedDemo(t.db, T0 + 60_000);
  expect(second).toEqual(first);
  expect(await rowCounts()).toEqual(before);

  const student = await verifyPassword(t.db, first.student.email, first.student.password);
  const instructor = await verifyPassword(t.db, first.instructor.email, first.instructor.password);
  expect(student?.role).toBe("student");
  expect(instructor?.role).toBe("instructor");
  if (!student || !instructor) throw new Error("demo users must sign in");
  expect(await coursesForUser(t.db, student.id)).toEqual([
    expect.objectContaining({ id: first.courseId, title: "Deep learning workflow (demo)", joinCode: "DEMO-2026", role: "student" }),
  ]);
  expect(await coursesForUser(t.db, instructor.id)).toEqual([expect.objectContaining({ id: first.courseId, role: "instructor" })]);
  const assignments = await assignmentsForCourse(t.db, first.courseId);
  // The demo course folder places every built-in exercise once, in its own order, with its attempts.
  expect(assignments.map((a) => a.exerciseId).sort()).toEqual(
    listExercises()
      .map((e) => e.id)
      .sort(),
  );
  expect(assignments.map((a) => a.position).sort((a, b) => a - b)).toEqual(assignments.map((_, i) => i + 1));
  expect(assignments.every((a) => a.attemptsAllowed !== null && a.attemptsAllowed >= 1)).toBe(true);
});

it("seeds another copy of the demo course for other accounts, apart from the demo's own", async () => {
  const demo = await seedDemo(t.db, T0);
  const other = await seedDemo(t.db, T0, {
    instructor: { email: "instructor@copy.stepwise.test", password: "copy-instructor", name: "Copy Instructor" },
    student: { email: "student@copy.stepwise.test", password: "copy-student", name: "Copy Student" },
    joinCode: "copy-1",
  });
  expect(other.courseId).not.toBe(demo.courseId);
  const student = await verifyPassword(t.db, "student@copy.stepwise.test", "copy-student");
  const instructor = await verifyPassword(t.db, "instructor@copy.stepwise.test", "copy-instructor");
  expect([student?.role, instructor?.role]).toEqual(["student", "instructor"]);
  if (!student || !instructor) throw new Error("the copy's users must sign in");
  // Each of them is in the copy only, the join code stored as codes are (upper case).
  expect(await coursesForUser(t.db, student.id)).toEqual([
    expect.objectContaining({ id: other.courseId, joinCode: "COPY-1", role: "student" }),
  ]);
  expect(await coursesForUser(t.db, instructor.id)).toEqual([expect.objectContaining({ id: other.courseId, role: "instructor" })]);
  expect((await assignmentsForCourse(t.db, other.courseId)).length).toBe((await assignmentsForCourse(t.db, demo.courseId)).length);
});
