import { randomUUID } from "node:crypto";
import { CheckVisibility, type Verdict, VerdictStatus } from "@stepwise/core/contracts";
import { type Kysely, type Selectable, sql } from "kysely";
import { z } from "zod";
import type { Db } from "./connection";
import { parseJson } from "./rows";
import type { AuditEventsTable, Database } from "./schema";

/**
 * The audit log: who changed what on an assignment, and every grade a regrade changed. Rows are
 * only inserted. `before`/`after` hold the changed fields only (assignment edits) or a grade
 * snapshot (grade changes), so the assignment page can say "deadline: none → 12 Dec".
 */
export const AuditAction = z.enum([
  "assignment.created",
  "assignment.updated",
  "extension.set",
  "extension.cleared",
  "regrade.started",
  "regrade.applied",
  "regrade.discarded",
  "grade.changed",
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** What a grade was, as much as a notice needs to say why it changed (the check visibility decides what a student may read). */
export const GradeSnapshot = z.object({
  status: VerdictStatus,
  score: z.number(),
  baseline: z.number().nullable(),
  checks: z.array(z.object({ id: z.string(), passed: z.boolean(), message: z.string(), visibility: CheckVisibility })),
});
export type GradeSnapshot = z.infer<typeof GradeSnapshot>;

export function gradeSnapshot(verdict: Verdict): GradeSnapshot {
  return {
    status: verdict.status,
    score: verdict.score,
    baseline: verdict.curves.baseline ?? null,
    checks: verdict.checks.map((c) => ({ id: c.id, passed: c.passed, message: c.message, visibility: c.visibility })),
  };
}

/** Did the regrade change anything a student or the gradebook would see? */
export function gradeDiffers(before: GradeSnapshot, after: GradeSnapshot): boolean {
  if (before.status !== after.status || before.score !== after.score || before.baseline !== after.baseline) return true;
  const old = new Map(before.checks.map((c) => [c.id, c.passed]));
  return after.checks.some((c) => old.get(c.id) !== c.passed) || before.checks.some((c) => !after.checks.some((n) => n.id === c.id));
}

export interface AuditInput {
  courseId: string;
  assignmentId: string | null;
  actorId: string | null;
  action: AuditAction;
  subjectUserId?: string | null;
  submissionId?: string | null;
  before?: unknown;
  after?: unknown;
  now: number;
}

/** Inserts one event; takes a transaction's handle so the change and its record commit together. */
export async function recordAudit(q: Kysely<Database>, input: AuditInput): Promise<string> {
  const id = randomUUID();
  await q
    .insertInto("audit_events")
    .values({
      id,
      course_id: input.courseId,
      assignment_id: input.assignmentId,
      actor_id: input.actorId,
      action: input.action,
      subject_user_id: input.subjectUserId ?? null,
      submission_id: input.submissionId ?? null,
      before: input.before === undefined ? null : JSON.stringify(input.before),
      after: input.after === undefined ? null : JSON.stringify(input.after),
      created_at: input.now,
      seq: sql<number>`(select coalesce(max(seq), 0) + 1 from audit_events)`,
    })
    .execute();
  return id;
}

export interface AuditEvent {
  id: string;
  courseId: string;
  assignmentId: string | null;
  action: AuditAction;
  actor: { id: string; name: string } | null;
  subject: { id: string; name: string; email: string } | null;
  submissionId: string | null;
  before: unknown;
  after: unknown;
  createdAt: number;
}

type EventRow = Selectable<AuditEventsTable> & { actor_name: string | null; subject_name: string | null; subject_email: string | null };

function toEvent(row: EventRow): AuditEvent {
  const json = (text: string | null, side: string) =>
    text === null ? null : parseJson(z.unknown(), text, `${side} of audit event ${row.id}`);
  return {
    id: row.id,
    courseId: row.course_id,
    assignmentId: row.assignment_id,
    action: AuditAction.parse(row.action),
    // An account deleted since keeps its id in the log.
    actor: row.actor_id === null ? null : { id: row.actor_id, name: row.actor_name ?? row.actor_id },
    subject:
      row.subject_user_id === null
        ? null
        : { id: row.subject_user_id, name: row.subject_name ?? row.subject_user_id, email: row.subject_email ?? "" },
    submissionId: row.submission_id,
    before: json(row.before, "before"),
    after: json(row.after, "after"),
    createdAt: Number(row.created_at),
  };
}

function events(db: Db) {
  return db.kysely
    .selectFrom("audit_events")
    .leftJoin("users as actor", "actor.id", "audit_events.actor_id")
    .leftJoin("users as subject", "subject.id", "audit_events.subject_user_id")
    .selectAll("audit_events")
    .select(["actor.name as actor_name", "subject.name as subject_name", "subject.email as subject_email"]);
}

/** An assignment's log, newest first (at most `limit` events). */
export async function auditForAssignment(db: Db, assignmentId: string, limit = 200): Promise<AuditEvent[]> {
  const rows = await events(db)
    .where("audit_events.assignment_id", "=", assignmentId)
    .orderBy("audit_events.created_at", "desc")
    .orderBy("audit_events.seq", "desc")
    .limit(limit)
    .execute();
  return rows.map(toEvent);
}

export interface GradeChange {
  eventId: string;
  assignmentId: string;
  submissionId: string;
  at: number;
  before: GradeSnapshot;
  after: GradeSnapshot;
  seen: boolean;
}

function toGradeChange(row: Selectable<AuditEventsTable> & { seen_at: number | null }): GradeChange | null {
  if (row.assignment_id === null || row.submission_id === null || row.before === null || row.after === null) return null;
  return {
    eventId: row.id,
    assignmentId: row.assignment_id,
    submissionId: row.submission_id,
    at: Number(row.created_at),
    before: parseJson(GradeSnapshot, row.before, `grade before in audit event ${row.id}`),
    after: parseJson(GradeSnapshot, row.after, `grade after in audit event ${row.id}`),
    seen: row.seen_at !== null,
  };
}

function gradeChanges(db: Db) {
  return db.kysely
    .selectFrom("audit_events")
    .leftJoin("grade_changes_seen", "grade_changes_seen.event_id", "audit_events.id")
    .selectAll("audit_events")
    .select("grade_changes_seen.seen_at as seen_at")
    .where("audit_events.action", "=", "grade.changed");
}

/** The newest grade change of one submission, or null if it was never regraded. */
export async function latestGradeChange(db: Db, submissionId: string): Promise<GradeChange | null> {
  const row = await gradeChanges(db)
    .where("audit_events.submission_id", "=", submissionId)
    .orderBy("audit_events.created_at", "desc")
    .orderBy("audit_events.seq", "desc")
    .executeTakeFirst();
  return row ? toGradeChange(row) : null;
}

/** A student's grade changes in a course they have not opened yet, newest first. */
export async function unseenGradeChanges(db: Db, input: { courseId: string; userId: string }): Promise<GradeChange[]> {
  const rows = await gradeChanges(db)
    .where("audit_events.course_id", "=", input.courseId)
    .where("audit_events.subject_user_id", "=", input.userId)
    .where("grade_changes_seen.seen_at", "is", null)
    .orderBy("audit_events.created_at", "desc")
    .execute();
  return rows.map(toGradeChange).filter((c): c is GradeChange => c !== null);
}

/** Marks every grade change of the submission as seen by its student; returns how many were new. */
export async function markGradeChangesSeen(db: Db, input: { submissionId: string; userId: string; now: number }): Promise<number> {
  const unseen = await gradeChanges(db)
    .where("audit_events.submission_id", "=", input.submissionId)
    .where("audit_events.subject_user_id", "=", input.userId)
    .where("grade_changes_seen.seen_at", "is", null)
    .execute();
  if (unseen.length === 0) return 0;
  // Two tabs may mark the same change at once; the first one wins.
  await db.kysely
    .insertInto("grade_changes_seen")
    .values(unseen.map((r) => ({ event_id: r.id, seen_at: input.now })))
    .onConflict((oc) => oc.column("event_id").doNothing())
    .execute();
  return unseen.length;
}
