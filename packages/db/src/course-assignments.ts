import { randomUUID } from "node:crypto";
import { NotFoundError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import type { Kysely, Selectable } from "kysely";
import { z } from "zod";
import { type Db, writeTx } from "./connection";
import { recordAudit } from "./audit";
import { parseJson } from "./rows";
import type { AssignmentsTable, Database } from "./schema";

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

/** What an instructor may change; the exercise stays (submissions were made against it). */
export type AssignmentPatch = Partial<Pick<Assignment, "title" | "overrides" | "deadline" | "attemptsAllowed" | "position">>;

export interface Extension {
  assignmentId: string;
  userId: string;
  email: string;
  name: string;
  /** The student's own deadline, ms since the epoch; replaces the assignment's. */
  deadline: number;
  createdAt: number;
}

const Overrides = z.record(z.string(), z.unknown());

export function toAssignment(row: Selectable<AssignmentsTable>): Assignment {
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

function checkAttempts(attemptsAllowed: number | null): void {
  if (attemptsAllowed !== null && !(Number.isInteger(attemptsAllowed) && attemptsAllowed >= 1))
    throw new ValidationError(`attemptsAllowed must be a positive integer or null, got ${attemptsAllowed}`, "attemptsAllowed");
}

function checkTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length === 0) throw new ValidationError("Assignment title must not be empty", "title");
  return trimmed;
}

function checkDeadline(deadline: number | null, what: string): void {
  if (deadline !== null && !Number.isSafeInteger(deadline))
    throw new ValidationError(`${what} must be a whole number of ms since the epoch, got ${deadline}`, "deadline");
}

export function assignmentRow(input: Omit<Assignment, "id" | "createdAt">, now: number): Selectable<AssignmentsTable> {
  checkAttempts(input.attemptsAllowed);
  checkDeadline(input.deadline, "deadline");
  return {
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
}

export async function createAssignment(db: Db, input: Omit<Assignment, "id" | "createdAt">, now: number): Promise<Assignment> {
  const row = assignmentRow(input, now);
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

/** Changes what the patch names and returns the assignment as stored. */
export async function updateAssignment(
  db: Db,
  id: string,
  patch: AssignmentPatch,
  audit?: { actorId: string; now: number },
): Promise<Assignment> {
  const set: Partial<Selectable<AssignmentsTable>> = {};
  if (patch.title !== undefined) set.title = checkTitle(patch.title);
  if (patch.overrides !== undefined) set.overrides = JSON.stringify(Overrides.parse(patch.overrides));
  if (patch.deadline !== undefined) {
    checkDeadline(patch.deadline, "deadline");
    set.deadline = patch.deadline;
  }
  if (patch.attemptsAllowed !== undefined) {
    checkAttempts(patch.attemptsAllowed);
    set.attempts_allowed = patch.attemptsAllowed;
  }
  if (patch.position !== undefined) {
    if (!Number.isInteger(patch.position)) throw new ValidationError(`position must be an integer, got ${patch.position}`, "position");
    set.position = patch.position;
  }
  return writeTx(db, async (q) => {
    const read = async () => {
      const row = await q.selectFrom("assignments").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) throw new NotFoundError(`No assignment with id "${id}"`);
      return toAssignment(row);
    };
    const before = await read();
    if (Object.keys(set).length > 0) await q.updateTable("assignments").set(set).where("id", "=", id).execute();
    const updated = await read();
    const diff = assignmentDiff(before, updated);
    if (audit && diff)
      await recordAudit(q, {
        courseId: updated.courseId,
        assignmentId: id,
        actorId: audit.actorId,
        action: "assignment.updated",
        ...diff,
        now: audit.now,
      });
    return updated;
  });
}

const AUDITED = ["title", "deadline", "attemptsAllowed", "position"] as const;

/**
 * The fields an edit changed, old and new side by side; overrides key by key (baseline, target,
 * check visibility, budgets…), so the log says which one moved. Null when nothing changed.
 */
export function assignmentDiff(
  before: Assignment,
  after: Assignment,
): { before: Record<string, unknown>; after: Record<string, unknown> } | null {
  const from: Record<string, unknown> = {};
  const to: Record<string, unknown> = {};
  for (const key of AUDITED) {
    if (before[key] !== after[key]) {
      from[key] = before[key];
      to[key] = after[key];
    }
  }
  for (const key of new Set([...Object.keys(before.overrides), ...Object.keys(after.overrides)])) {
    const a = before.overrides[key];
    const b = after.overrides[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      from[`overrides.${key}`] = a ?? null;
      to[`overrides.${key}`] = b ?? null;
    }
  }
  return Object.keys(to).length === 0 ? null : { before: from, after: to };
}

/**
 * Deletes an assignment nobody has submitted to (its extensions and regrades go with it). One with
 * submissions is refused: deleting would cascade to students' work and verdicts.
 */
export async function deleteAssignment(db: Db, id: string): Promise<void> {
  await writeTx(db, async (q) => {
    // On PostgreSQL the row lock conflicts with the key-share lock a concurrent submission's foreign
    // key takes, so no submission can slip in between the count and the delete (SQLite's BEGIN
    // IMMEDIATE already serializes writers).
    const row = await q
      .selectFrom("assignments")
      .select(["id", "title"])
      .where("id", "=", id)
      .$if(db.dialect === "postgres", (qb) => qb.forUpdate())
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`No assignment with id "${id}"`);
    const count = await countSubmissions(q, id);
    if (count > 0)
      throw new PreconditionError(
        `"${row.title}" has ${count} submission${count === 1 ? "" : "s"} and cannot be deleted; only an assignment nobody has submitted to can be`,
      );
    await q.deleteFrom("assignments").where("id", "=", id).execute();
  });
}

async function countSubmissions(q: Kysely<Database>, assignmentId: string): Promise<number> {
  const row = await q
    .selectFrom("submissions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("assignment_id", "=", assignmentId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Sets (or replaces) a student's own deadline; the student must be enrolled in the assignment's course as a student. */
export async function setExtension(
  db: Db,
  input: { assignmentId: string; userId: string; deadline: number; actorId?: string },
  now: number,
): Promise<Extension> {
  checkDeadline(input.deadline, "Extension deadline");
  const assignment = await assignmentById(db, input.assignmentId);
  if (!assignment) throw new NotFoundError(`No assignment with id "${input.assignmentId}"`);
  const enrolled = await db.kysely
    .selectFrom("enrollments")
    .select("role")
    .where("course_id", "=", assignment.courseId)
    .where("user_id", "=", input.userId)
    .executeTakeFirst();
  if (enrolled?.role !== "student")
    throw new NotFoundError(`User "${input.userId}" is not enrolled as a student in this course; extensions are for its students`);
  await writeTx(db, async (q) => {
    const previous = await q
      .selectFrom("extensions")
      .select("deadline")
      .where("assignment_id", "=", input.assignmentId)
      .where("user_id", "=", input.userId)
      .executeTakeFirst();
    await q
      .insertInto("extensions")
      .values({ assignment_id: input.assignmentId, user_id: input.userId, deadline: input.deadline, created_at: now })
      .onConflict((oc) => oc.columns(["assignment_id", "user_id"]).doUpdateSet({ deadline: input.deadline, created_at: now }))
      .execute();
    if (input.actorId !== undefined)
      await recordAudit(q, {
        courseId: assignment.courseId,
        assignmentId: input.assignmentId,
        actorId: input.actorId,
        action: "extension.set",
        subjectUserId: input.userId,
        before: { deadline: previous?.deadline ?? null },
        after: { deadline: input.deadline },
        now,
      });
  });
  const extension = (await extensionsFor(db, input.assignmentId)).find((e) => e.userId === input.userId);
  if (!extension) throw new Error(`Extension of ${input.userId} on ${input.assignmentId} vanished after it was written`);
  return extension;
}

/** Removes a student's extension; false when there was none. */
export async function clearExtension(
  db: Db,
  input: { assignmentId: string; userId: string },
  audit?: { actorId: string; now: number },
): Promise<boolean> {
  return writeTx(db, async (q) => {
    const previous = await q
      .selectFrom("extensions")
      .innerJoin("assignments", "assignments.id", "extensions.assignment_id")
      .select(["extensions.deadline", "assignments.course_id"])
      .where("extensions.assignment_id", "=", input.assignmentId)
      .where("extensions.user_id", "=", input.userId)
      .executeTakeFirst();
    if (!previous) return false;
    await q.deleteFrom("extensions").where("assignment_id", "=", input.assignmentId).where("user_id", "=", input.userId).execute();
    if (audit)
      await recordAudit(q, {
        courseId: previous.course_id,
        assignmentId: input.assignmentId,
        actorId: audit.actorId,
        action: "extension.cleared",
        subjectUserId: input.userId,
        before: { deadline: previous.deadline },
        after: { deadline: null },
        now: audit.now,
      });
    return true;
  });
}

/** Every extension of an assignment, by student e-mail. */
export async function extensionsFor(db: Db, assignmentId: string): Promise<Extension[]> {
  const rows = await db.kysely
    .selectFrom("extensions")
    .innerJoin("users", "users.id", "extensions.user_id")
    .select(["extensions.assignment_id", "extensions.user_id", "extensions.deadline", "extensions.created_at", "users.email", "users.name"])
    .where("extensions.assignment_id", "=", assignmentId)
    .orderBy("users.email", "asc")
    .execute();
  return rows.map((r) => ({
    assignmentId: r.assignment_id,
    userId: r.user_id,
    email: r.email,
    name: r.name,
    deadline: r.deadline,
    createdAt: r.created_at,
  }));
}

/** The student's own deadline on this assignment, or null when they have no extension. */
export async function extensionDeadline(db: Db, assignmentId: string, userId: string): Promise<number | null> {
  const row = await db.kysely
    .selectFrom("extensions")
    .select("deadline")
    .where("assignment_id", "=", assignmentId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.deadline ?? null;
}
