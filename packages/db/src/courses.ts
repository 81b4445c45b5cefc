import { randomInt, randomUUID } from "node:crypto";
import { ValidationError } from "@stepwise/core/contracts";
import type { Selectable } from "kysely";
import { z } from "zod";
import type { Db } from "./connection";
import { parseJson } from "./rows";
import type { AssignmentsTable, CoursesTable } from "./schema";

export interface Course {
  id: string;
  title: string;
  joinCode: string;
  archived: boolean;
  createdAt: number;
}

export interface Assignment {
  id: string;
  courseId: string;
  exerciseId: string;
  title: string;
  /** Exercise overrides (thresholds, budgets, seeds, visibility); validated by the exercises package. */
  overrides: Record<string, unknown>;
  /** ms since the epoch, or null for no deadline. */
  deadline: number | null;
  attemptsAllowed: number | null;
  position: number;
  createdAt: number;
}

export type CourseRole = "student" | "instructor";

const Overrides = z.record(z.string(), z.unknown());
// No 0/O/1/I/L: codes are read aloud and typed from a projector.
const JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

export function generateJoinCode(length = 8): string {
  let code = "";
  for (let i = 0; i < length; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)] ?? "";
  return code;
}

function toCourse(row: Selectable<CoursesTable>): Course {
  return { id: row.id, title: row.title, joinCode: row.join_code, archived: row.archived !== 0, createdAt: row.created_at };
}

function toAssignment(row: Selectable<AssignmentsTable>): Assignment {
  return {
    id: row.id,
    courseId: row.course_id,
    exerciseId: row.exercise_id,
    title: row.title,
    overrides: parseJson(Overrides, row.overrides, `overrides of assignment ${row.id}`),
    deadline: row.deadline,
    attemptsAllowed: row.attempts_allowed,
    position: row.position,
    createdAt: row.created_at,
  };
}

export async function createCourse(db: Db, input: { title: string; joinCode?: string }, now: number): Promise<Course> {
  const title = input.title.trim();
  if (title.length === 0) throw new ValidationError("Course title must not be empty", "title");
  const row = {
    id: randomUUID(),
    title,
    join_code: (input.joinCode ?? generateJoinCode()).trim().toUpperCase(),
    archived: 0,
    created_at: now,
    settings: "{}",
  };
  await db.kysely.insertInto("courses").values(row).execute();
  return toCourse(row);
}

export async function courseById(db: Db, id: string): Promise<Course | null> {
  const row = await db.kysely.selectFrom("courses").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toCourse(row) : null;
}

export async function courseByJoinCode(db: Db, code: string): Promise<Course | null> {
  const row = await db.kysely
    .selectFrom("courses")
    .selectAll()
    .where("join_code", "=", code.trim().toUpperCase())
    .executeTakeFirst();
  return row ? toCourse(row) : null;
}

export async function setCourseArchived(db: Db, id: string, archived: boolean): Promise<boolean> {
  const result = await db.kysely
    .updateTable("courses")
    .set({ archived: archived ? 1 : 0 })
    .where("id", "=", id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Idempotent: enrolling someone already enrolled changes nothing — in particular a join by
 * code (role "student") never demotes an instructor.
 */
export async function enroll(
  db: Db,
  input: { courseId: string; userId: string; role: CourseRole },
  now: number,
): Promise<void> {
  await db.kysely
    .insertInto("enrollments")
    .values({ course_id: input.courseId, user_id: input.userId, role: input.role, created_at: now })
    .onConflict((oc) => oc.columns(["course_id", "user_id"]).doNothing())
    .execute();
}

export async function membership(db: Db, courseId: string, userId: string): Promise<CourseRole | null> {
  const row = await db.kysely
    .selectFrom("enrollments")
    .select("role")
    .where("course_id", "=", courseId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.role === "student" || row?.role === "instructor" ? row.role : null;
}

export async function coursesForUser(db: Db, userId: string): Promise<Array<Course & { role: CourseRole }>> {
  const rows = await db.kysely
    .selectFrom("enrollments")
    .innerJoin("courses", "courses.id", "enrollments.course_id")
    .selectAll("courses")
    .select("enrollments.role as role")
    .where("enrollments.user_id", "=", userId)
    .orderBy("courses.created_at", "asc")
    .orderBy("courses.id", "asc")
    .execute();
  return rows.map((row) => ({ ...toCourse(row), role: row.role === "instructor" ? "instructor" : "student" }));
}

export async function createAssignment(db: Db, input: Omit<Assignment, "id" | "createdAt">, now: number): Promise<Assignment> {
  if (input.attemptsAllowed !== null && !(Number.isInteger(input.attemptsAllowed) && input.attemptsAllowed >= 1))
    throw new ValidationError(`attemptsAllowed must be a positive integer or null, got ${input.attemptsAllowed}`, "attemptsAllowed");
  const row = {
    id: randomUUID(),
    course_id: input.courseId,
    exercise_id: input.exerciseId,
    title: input.title,
    overrides: JSON.stringify(Overrides.parse(input.overrides)),
    deadline: input.deadline,
    attempts_allowed: input.attemptsAllowed,
    position: input.position,
    created_at: now,
  };
  await db.kysely.insertInto("assignments").values(row).execute();
  return toAssignment(row);
}

export async function assignmentsForCourse(db: Db, courseId: string): Promise<Assignment[]> {
  const rows = await db.kysely
    .selectFrom("assignments")
    .selectAll()
    .where("course_id", "=", courseId)
    .orderBy("position", "asc")
    .orderBy("created_at", "asc")
    .orderBy("id", "asc")
    .execute();
  return rows.map(toAssignment);
}

export async function assignmentById(db: Db, id: string): Promise<Assignment | null> {
  const row = await db.kysely.selectFrom("assignments").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toAssignment(row) : null;
}
