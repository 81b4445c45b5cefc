import { randomUUID } from "node:crypto";
import { type JobStatus, NotFoundError, PreconditionError, type Verdict } from "@stepwise/core/contracts";
import type { Kysely, Selectable } from "kysely";
import { type Db, writeTx } from "./connection";
import { queuePassback } from "./lti/passback";
import { toJob, toVerdict } from "./rows";
import type { Database, RegradesTable } from "./schema";
import { DEFAULT_MAX_ATTEMPTS, insertJob, REGRADE_PRIORITY } from "./submissions";
import { notifyJob } from "./progress";
import { type GradeSnapshot, gradeDiffers, gradeSnapshot, recordAudit } from "./audit";

/**
 * A regrade re-runs the grader on every submission of an assignment as `preview` jobs. Their verdicts
 * change nothing students or the gradebook see until the instructor applies the regrade, which turns
 * the finished previews into `grade` jobs (newer than any earlier grading, so they become current).
 */
export type RegradeStatus = "previewing" | "applied" | "discarded";

export interface Regrade {
  id: string;
  assignmentId: string;
  createdBy: string;
  status: RegradeStatus;
  createdAt: number;
  finishedAt: number | null;
}

export interface PreviewJob {
  jobId: string;
  submissionId: string;
  userId: string;
  status: JobStatus;
  verdict: Verdict | null;
}

function toRegrade(row: Selectable<RegradesTable>): Regrade {
  const status = row.status;
  if (status !== "previewing" && status !== "applied" && status !== "discarded")
    throw new Error(`Stored status of regrade ${row.id} must be previewing, applied or discarded, got "${status}"`);
  return {
    id: row.id,
    assignmentId: row.assignment_id,
    createdBy: row.created_by,
    status,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/**
 * Starts a regrade: one preview job per submission of the assignment (every attempt, since the best
 * one counts), behind students' own work in the queue. Only one regrade of an assignment may be
 * previewing at a time; the check and the insert share one transaction, and on PostgreSQL the
 * assignment row is locked so two instructors starting at once cannot both pass the check.
 */
export async function startRegrade(
  db: Db,
  input: { assignmentId: string; createdBy: string; now: number; priority?: number },
): Promise<{ regrade: Regrade; jobs: number }> {
  return writeTx(db, async (q) => {
    let assignment = q.selectFrom("assignments").select("id").where("id", "=", input.assignmentId);
    if (db.dialect === "postgres") assignment = assignment.forUpdate();
    if (!(await assignment.executeTakeFirst())) throw new NotFoundError(`No assignment with id "${input.assignmentId}".`);
    const open = await q
      .selectFrom("regrades")
      .select("id")
      .where("assignment_id", "=", input.assignmentId)
      .where("status", "=", "previewing")
      .executeTakeFirst();
    if (open)
      throw new PreconditionError(`A regrade of this assignment is already being previewed (${open.id}); apply or discard it first.`);
    const submissions = await q
      .selectFrom("submissions")
      .select("id")
      .where("assignment_id", "=", input.assignmentId)
      .orderBy("created_at", "asc")
      .orderBy("id", "asc")
      .execute();
    if (submissions.length === 0) throw new PreconditionError("This assignment has no submissions yet: there is nothing to regrade.");
    const row = {
      id: randomUUID(),
      assignment_id: input.assignmentId,
      created_by: input.createdBy,
      status: "previewing",
      created_at: input.now,
      finished_at: null,
    };
    await q.insertInto("regrades").values(row).execute();
    for (const submission of submissions) {
      await insertJob(q, db.dialect, {
        submissionId: submission.id,
        priority: input.priority ?? REGRADE_PRIORITY,
        maxAttempts: DEFAULT_MAX_ATTEMPTS,
        now: input.now,
        purpose: "preview",
        regradeId: row.id,
      });
    }
    await recordAudit(q, {
      courseId: await courseOfAssignment(q, input.assignmentId),
      assignmentId: input.assignmentId,
      actorId: input.createdBy,
      action: "regrade.started",
      after: { regradeId: row.id, submissions: submissions.length },
      now: input.now,
    });
    return { regrade: toRegrade(row), jobs: submissions.length };
  });
}

export async function regradeById(db: Db, id: string): Promise<Regrade | null> {
  const row = await db.kysely.selectFrom("regrades").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toRegrade(row) : null;
}

/** The assignment's regrades, newest first. */
export async function regradesForAssignment(db: Db, assignmentId: string): Promise<Regrade[]> {
  const rows = await db.kysely
    .selectFrom("regrades")
    .selectAll()
    .where("assignment_id", "=", assignmentId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map(toRegrade);
}

/** The regrade's jobs with their status and (once done) verdict, whatever the regrade's status. */
export async function previewJobs(db: Db, regradeId: string): Promise<PreviewJob[]> {
  const rows = await db.kysely
    .selectFrom("jobs")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .leftJoin("verdicts", "verdicts.job_id", "jobs.id")
    .selectAll("jobs")
    .select(["submissions.user_id as user_id", "verdicts.verdict as verdict"])
    .where("jobs.regrade_id", "=", regradeId)
    .orderBy("jobs.seq", "asc")
    .execute();
  return rows.map((row) => ({
    jobId: row.id,
    submissionId: row.submission_id,
    userId: row.user_id,
    status: toJob(row).status,
    verdict: row.verdict != null ? toVerdict(row.verdict, row.id) : null,
  }));
}

async function lockPreviewing(q: Kysely<Database>, db: Db, regradeId: string, verb: string): Promise<Regrade> {
  let select = q.selectFrom("regrades").selectAll().where("id", "=", regradeId);
  if (db.dialect === "postgres") select = select.forUpdate();
  const row = await select.executeTakeFirst();
  if (!row) throw new NotFoundError(`No regrade with id "${regradeId}".`);
  const regrade = toRegrade(row);
  if (regrade.status !== "previewing")
    throw new PreconditionError(`Only a regrade being previewed can be ${verb}; this one was already ${regrade.status}.`);
  return regrade;
}

/**
 * Applies a regrade in one transaction: its finished previews become grading jobs and it is marked
 * applied. Refused while any preview is still queued or running, so every student is regraded under
 * the same rules at the same moment; previews that died or were cancelled leave their submission's
 * grade as it was (`unchanged`). The row lock (PostgreSQL) or the write lock (SQLite) makes a second,
 * concurrent apply find the regrade already applied.
 */
export async function applyRegrade(
  db: Db,
  input: { regradeId: string; now: number; actorId?: string | null },
): Promise<{ regrade: Regrade; applied: number; unchanged: number; changed: number }> {
  return writeTx(db, async (q) => {
    const regrade = await lockPreviewing(q, db, input.regradeId, "applied");
    const jobs = await q
      .selectFrom("jobs")
      .select(["id", "status"])
      .where("regrade_id", "=", regrade.id)
      .where("purpose", "=", "preview")
      .execute();
    const pending = jobs.filter((j) => j.status === "queued" || j.status === "running").length;
    if (pending > 0)
      throw new PreconditionError(
        `${pending} of ${jobs.length} preview job${jobs.length === 1 ? " is" : "s are"} still being graded; apply once ${pending === 1 ? "it finishes" : "they finish"}, or discard the regrade.`,
      );
    const done = jobs.filter((j) => j.status === "done").map((j) => j.id);
    // Read the grades being replaced before the previews become current.
    const changed = await recordGradeChanges(q, regrade, done, input);
    if (done.length > 0) await q.updateTable("jobs").set({ purpose: "grade" }).where("id", "in", done).execute();
    await q.updateTable("regrades").set({ status: "applied", finished_at: input.now }).where("id", "=", regrade.id).execute();
    const courseId = await courseOfAssignment(q, regrade.assignmentId);
    await recordAudit(q, {
      courseId,
      assignmentId: regrade.assignmentId,
      actorId: input.actorId ?? null,
      action: "regrade.applied",
      after: { regradeId: regrade.id, applied: done.length, unchanged: jobs.length - done.length, changed },
      now: input.now,
    });
    for (const id of done) await notifyJob(q, db, id);
    const regraded = done.length === 0 ? [] : await q.selectFrom("jobs").select("submission_id").where("id", "in", done).execute();
    for (const { submission_id } of regraded) await queuePassback(q, db, { submissionId: submission_id, now: input.now });
    return {
      regrade: { ...regrade, status: "applied", finishedAt: input.now },
      applied: done.length,
      unchanged: jobs.length - done.length,
      changed,
    };
  });
}

async function courseOfAssignment(q: Kysely<Database>, assignmentId: string): Promise<string> {
  const row = await q.selectFrom("assignments").select("course_id").where("id", "=", assignmentId).executeTakeFirst();
  if (!row) throw new NotFoundError(`No assignment with id "${assignmentId}".`);
  return row.course_id;
}

/**
 * One `grade.changed` audit event per submission whose applied preview differs from the grade it
 * replaces (status, score, baseline or any check). A submission never graded before has nothing to
 * compare with and gets no event. Returns how many changed.
 */
async function recordGradeChanges(
  q: Kysely<Database>,
  regrade: Regrade,
  doneJobIds: readonly string[],
  input: { now: number; actorId?: string | null },
): Promise<number> {
  if (doneJobIds.length === 0) return 0;
  const previews = await q
    .selectFrom("jobs")
    .innerJoin("verdicts", "verdicts.job_id", "jobs.id")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .select(["jobs.id as job_id", "jobs.submission_id", "submissions.user_id", "verdicts.verdict"])
    .where("jobs.id", "in", doneJobIds)
    .execute();
  if (previews.length === 0) return 0;
  const current = await q
    .selectFrom("jobs")
    .innerJoin("verdicts", "verdicts.job_id", "jobs.id")
    .select(["jobs.id as job_id", "jobs.submission_id", "verdicts.verdict"])
    .where(
      "jobs.submission_id",
      "in",
      previews.map((p) => p.submission_id),
    )
    .where("jobs.purpose", "=", "grade")
    .orderBy("jobs.seq", "asc")
    .execute();
  const before = new Map(current.map((row) => [row.submission_id, row]));
  const courseId = await courseOfAssignment(q, regrade.assignmentId);
  let changed = 0;
  for (const preview of previews) {
    const old = before.get(preview.submission_id);
    if (!old) continue;
    const from = gradeSnapshot(toVerdict(old.verdict, old.job_id));
    const to = gradeSnapshot(toVerdict(preview.verdict, preview.job_id));
    if (!gradeDiffers(from, to)) continue;
    changed += 1;
    await recordAudit(q, {
      courseId,
      assignmentId: regrade.assignmentId,
      actorId: input.actorId ?? null,
      action: "grade.changed",
      subjectUserId: preview.user_id,
      submissionId: preview.submission_id,
      before: from,
      after: to,
      now: input.now,
    });
  }
  return changed;
}

/** Discards a regrade: nothing it graded ever counts, and its queued or running previews are cancelled. */
export async function discardRegrade(
  db: Db,
  input: { regradeId: string; now: number; actorId?: string | null },
): Promise<{ regrade: Regrade; cancelled: number }> {
  return writeTx(db, async (q) => {
    const regrade = await lockPreviewing(q, db, input.regradeId, "discarded");
    const result = await q
      .updateTable("jobs")
      .set({ status: "cancelled", finished_at: input.now, lease_until: null })
      .where("regrade_id", "=", regrade.id)
      .where("status", "in", ["queued", "running"])
      .executeTakeFirst();
    await q.updateTable("regrades").set({ status: "discarded", finished_at: input.now }).where("id", "=", regrade.id).execute();
    await recordAudit(q, {
      courseId: await courseOfAssignment(q, regrade.assignmentId),
      assignmentId: regrade.assignmentId,
      actorId: input.actorId ?? null,
      action: "regrade.discarded",
      after: { regradeId: regrade.id, cancelled: Number(result.numUpdatedRows) },
      now: input.now,
    });
    return { regrade: { ...regrade, status: "discarded", finishedAt: input.now }, cancelled: Number(result.numUpdatedRows) };
  });
}

/**
 * The grade each submission of a regrade had before it (its latest grading outside this regrade),
 * as snapshots, so the preview can say which check changed, also after the regrade was applied.
 */
export async function gradesBeforeRegrade(db: Db, regradeId: string): Promise<Map<string, GradeSnapshot>> {
  const rows = await db.kysely
    .selectFrom("jobs")
    .innerJoin("verdicts", "verdicts.job_id", "jobs.id")
    .select(["jobs.id as job_id", "jobs.submission_id", "verdicts.verdict"])
    .where("jobs.submission_id", "in", (eb) => eb.selectFrom("jobs as r").select("r.submission_id").where("r.regrade_id", "=", regradeId))
    .where("jobs.purpose", "=", "grade")
    .where((eb) => eb.or([eb("jobs.regrade_id", "is", null), eb("jobs.regrade_id", "!=", regradeId)]))
    .orderBy("jobs.seq", "asc")
    .execute();
  // Ascending, so the last row of a submission is its grading just before the regrade.
  const latest = new Map<string, GradeSnapshot>();
  for (const row of rows) latest.set(row.submission_id, gradeSnapshot(toVerdict(row.verdict, row.job_id)));
  return latest;
}
