import { randomInt, randomUUID } from "node:crypto";
import { NotFoundError, ValidationError } from "@stepwise/core/contracts";
import { CSV_SPLIT_SEED } from "@stepwise/core/datasets";
import { CourseMode } from "@stepwise/core/workflow";
import type { Selectable } from "kysely";
import { z } from "zod";
import { type Db, writeTx } from "./connection";
import { type Assignment, assignmentRow } from "./course-assignments";
import type { CourseRole } from "./course-members";
import { parseJson } from "./rows";
import type { CoursesTable } from "./schema";

export * from "./course-assignments";
export * from "./course-members";

export interface Course {
  id: string;
  title: string;
  joinCode: string;
  archived: boolean;
  createdAt: number;
  /**
   * The course folder's `settings` (`defaultAttempts`, `latePenalty`, `mode`); validated by the
   * exercises package. `mode` is stored in its own column and always present here.
   */
  settings: Record<string, unknown>;
  /** guided: steps lock until their prerequisite step passes; independent: every step open. */
  mode: CourseMode;
}

/** New courses are guided; courses from before the setting existed were migrated as independent. */
export const DEFAULT_COURSE_MODE: CourseMode = "guided";

const Settings = z.record(z.string(), z.unknown());
// No 0/O/1/I/L: codes are read aloud and typed from a projector.
const JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

export function generateJoinCode(length = 8): string {
  let code = "";
  for (let i = 0; i < length; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)] ?? "";
  return code;
}

/** Stored mode, read leniently: a value no longer known falls back to independent (what the course did before modes). */
function modeOf(value: string): CourseMode {
  const parsed = CourseMode.safeParse(value);
  return parsed.success ? parsed.data : "independent";
}

/**
 * Settings as given: `mode` goes to its own column, the rest to the JSON. A mode that is not one of
 * the modes is refused, naming the ones there are.
 */
function splitSettings(settings: Record<string, unknown>): { mode: CourseMode | undefined; rest: Record<string, unknown> } {
  const { mode, ...rest } = Settings.parse(settings);
  if (mode === undefined) return { mode: undefined, rest };
  const parsed = CourseMode.safeParse(mode);
  if (!parsed.success)
    throw new ValidationError(`Course mode must be "guided" or "independent", got ${JSON.stringify(mode)}`, "settings.mode");
  return { mode: parsed.data, rest };
}

function toCourse(row: Selectable<CoursesTable>): Course {
  const mode = modeOf(row.mode);
  return {
    mode,
    id: row.id,
    title: row.title,
    joinCode: row.join_code,
    archived: row.archived !== 0,
    createdAt: row.created_at,
    settings: { ...parseJson(Settings, row.settings, `settings of course ${row.id}`), mode },
  };
}

function checkCourseTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length === 0) throw new ValidationError("Course title must not be empty", "title");
  return trimmed;
}

function courseRow(input: { title: string; joinCode?: string; settings?: Record<string, unknown> }, now: number): Selectable<CoursesTable> {
  const { mode, rest } = splitSettings(input.settings ?? {});
  return {
    mode: mode ?? DEFAULT_COURSE_MODE,
    id: randomUUID(),
    title: checkCourseTitle(input.title),
    join_code: (input.joinCode ?? generateJoinCode()).trim().toUpperCase(),
    archived: 0,
    created_at: now,
    settings: JSON.stringify(rest),
  };
}

export async function createCourse(
  db: Db,
  input: { title: string; joinCode?: string; settings?: Record<string, unknown> },
  now: number,
): Promise<Course> {
  const row = courseRow(input, now);
  await db.kysely.insertInto("courses").values(row).execute();
  return toCourse(row);
}

export async function courseById(db: Db, id: string): Promise<Course | null> {
  const row = await db.kysely.selectFrom("courses").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toCourse(row) : null;
}

export async function courseByJoinCode(db: Db, code: string): Promise<Course | null> {
  const row = await db.kysely.selectFrom("courses").selectAll().where("join_code", "=", code.trim().toUpperCase()).executeTakeFirst();
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

/** Changes the title, replaces the settings and/or sets the mode (alone, or as `settings.mode`); returns the course as stored. */
export async function updateCourse(
  db: Db,
  id: string,
  patch: { title?: string; settings?: Record<string, unknown>; mode?: CourseMode },
): Promise<Course> {
  const set: { title?: string; settings?: string; mode?: CourseMode } = {};
  if (patch.title !== undefined) set.title = checkCourseTitle(patch.title);
  if (patch.settings !== undefined) {
    // Settings replace the stored ones, except that a patch without a mode keeps the course's mode.
    const { mode, rest } = splitSettings(patch.settings);
    set.settings = JSON.stringify(rest);
    if (mode !== undefined) set.mode = mode;
  }
  if (patch.mode !== undefined) set.mode = CourseMode.parse(patch.mode);
  if (Object.keys(set).length > 0) await db.kysely.updateTable("courses").set(set).where("id", "=", id).execute();
  const course = await courseById(db, id);
  if (!course) throw new NotFoundError(`No course with id "${id}"`);
  return course;
}

/**
 * Gives the course a fresh random join code; the old one stops working at once. A clash with
 * another course's code (31^8 possibilities) is retried rather than assumed impossible.
 */
export async function rotateJoinCode(db: Db, id: string): Promise<Course> {
  const existing = await courseById(db, id);
  if (!existing) throw new NotFoundError(`No course with id "${id}"`);
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = generateJoinCode();
    if (code === existing.joinCode || (await courseByJoinCode(db, code))) continue;
    try {
      await db.kysely.updateTable("courses").set({ join_code: code }).where("id", "=", id).execute();
      return { ...existing, joinCode: code };
    } catch (error) {
      // Another course took the code between the check and the update (unique constraint).
      lastError = error;
    }
  }
  throw new Error(`Could not find an unused join code for course ${id} in 5 tries`, { cause: lastError });
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

/** A CSV stored with a course, named by its path in the course folder (`data/credit.csv`). */
export interface CourseDataFile {
  file: string;
  csv: string;
  rows: number;
  columns: string[];
}

/** The course's CSV datasets by path, for exporting the course folder. */
export async function courseDataFiles(db: Db, courseId: string): Promise<CourseDataFile[]> {
  const rows = await db.kysely
    .selectFrom("datasets")
    .select(["file", "csv", "rows", "columns"])
    .where("course_id", "=", courseId)
    .orderBy("file", "asc")
    .execute();
  return rows.map((r) => ({
    file: r.file,
    csv: r.csv,
    rows: r.rows,
    columns: parseJson(z.array(z.string()), r.columns, `columns of dataset ${r.file}`),
  }));
}

export interface CourseImport {
  title: string;
  settings: Record<string, unknown>;
  /** User ids in the order course.yaml lists them. */
  instructorIds: string[];
  assignments: Array<Omit<Assignment, "id" | "createdAt" | "courseId">>;
  datasets: CourseDataFile[];
  /** Who imported it, recorded on the datasets. */
  createdBy: string;
}

/** Creates a whole course (from a course folder) in one transaction: all of it or nothing. */
export async function importCourse(db: Db, input: CourseImport, now: number): Promise<Course> {
  if (input.instructorIds.length === 0) throw new ValidationError("An imported course needs at least one instructor", "instructors");
  const course = courseRow({ title: input.title, settings: input.settings }, now);
  await writeTx(db, async (q) => {
    await q.insertInto("courses").values(course).execute();
    // One millisecond apart so the member list (ordered by enrollment time) keeps course.yaml's order.
    for (const [i, userId] of input.instructorIds.entries()) {
      await q
        .insertInto("enrollments")
        .values({ course_id: course.id, user_id: userId, role: "instructor", created_at: now + i })
        .execute();
    }
    for (const assignment of input.assignments) {
      await q
        .insertInto("assignments")
        .values(assignmentRow({ ...assignment, courseId: course.id }, now))
        .execute();
    }
    for (const data of input.datasets) {
      await q
        .insertInto("datasets")
        .values({
          id: randomUUID(),
          course_id: course.id,
          file: data.file,
          csv: data.csv,
          bytes: Buffer.byteLength(data.csv, "utf8"),
          rows: data.rows,
          columns: JSON.stringify(data.columns),
          created_by: input.createdBy,
          created_at: now,
          // The split the course folder's file has under the CLI, which reads it from disk.
          split_seed: CSV_SPLIT_SEED,
        })
        .execute();
    }
  });
  return toCourse(course);
}
