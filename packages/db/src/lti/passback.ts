import { type Kysely, sql } from "kysely";
import { type Db, writeTx } from "../connection";
import type { Database } from "../schema";
import { insertJob } from "../submissions";

/**
 * Grade passback to LMS gradebooks rides the job queue: a job of its own purpose, at a priority
 * below every grading job, that the grader never claims (`claimJob` skips it) and the passback
 * runner claims one at a time. The job names the submission whose grade changed; the score itself
 * is read when the job runs, so several changes queued before a run send one score.
 */
export const PASSBACK_PURPOSE = "passback";
export const PASSBACK_PRIORITY = 100;
export const PASSBACK_MAX_ATTEMPTS = 10;

export type PassbackStatus = "pending" | "sent" | "failed";

/** Where one student's grade on one assignment goes: the LMS line items bound to it, as the LMS knows the student. */
export interface PassbackTarget {
  platformId: string;
  lineItemUrl: string;
  /** The student's `sub` on that platform. */
  sub: string;
  /** The state of this line item's score for the student. */
  status: PassbackStatus;
  scoreGiven: number | null;
}

async function targetsOf(q: Kysely<Database>, assignmentId: string, userId: string): Promise<PassbackTarget[]> {
  const rows = await q
    .selectFrom("lti_links")
    .innerJoin("assignments", "assignments.id", "lti_links.assignment_id")
    .innerJoin("enrollments", (j) => j.onRef("enrollments.course_id", "=", "assignments.course_id").on("enrollments.user_id", "=", userId))
    .innerJoin("lti_users", (j) => j.onRef("lti_users.platform_id", "=", "lti_links.platform_id").on("lti_users.user_id", "=", userId))
    .leftJoin("lti_passbacks", (j) =>
      j.onRef("lti_passbacks.line_item_url", "=", "lti_links.line_item_url").on("lti_passbacks.user_id", "=", userId),
    )
    .select(["lti_links.platform_id", "lti_links.line_item_url", "lti_users.sub", "lti_passbacks.status", "lti_passbacks.score_given"])
    .where("lti_links.assignment_id", "=", assignmentId)
    .where("lti_links.line_item_url", "is not", null)
    // Teachers' scores are never sent: LMSs reject them, and a test student's score is noise.
    .where("enrollments.role", "=", "student")
    .execute();
  const seen = new Set<string>();
  const targets: PassbackTarget[] = [];
  for (const r of rows) {
    if (r.line_item_url === null || seen.has(r.line_item_url)) continue;
    seen.add(r.line_item_url);
    const status = r.status === "sent" || r.status === "failed" ? r.status : "pending";
    targets.push({
      platformId: r.platform_id,
      lineItemUrl: r.line_item_url,
      sub: r.sub,
      status,
      scoreGiven: r.score_given === null ? null : Number(r.score_given),
    });
  }
  return targets;
}

/**
 * Queues a passback after the grade of `submissionId`'s student on its assignment may have changed
 * (a verdict, an applied regrade, an extension). Inside the caller's transaction; nothing happens
 * for an assignment no LMS line item is bound to, or for anyone but an LMS-linked student. A passback
 * already waiting for this student and assignment is not doubled.
 */
export async function queuePassback(
  q: Kysely<Database>,
  db: Pick<Db, "dialect">,
  input: { submissionId: string; now: number },
): Promise<boolean> {
  const submission = await q
    .selectFrom("submissions")
    .select(["assignment_id", "user_id"])
    .where("id", "=", input.submissionId)
    .executeTakeFirst();
  if (!submission) return false;
  const targets = await targetsOf(q, submission.assignment_id, submission.user_id);
  if (targets.length === 0) return false;
  for (const t of targets) {
    await q
      .insertInto("lti_passbacks")
      .values({
        line_item_url: t.lineItemUrl,
        user_id: submission.user_id,
        platform_id: t.platformId,
        assignment_id: submission.assignment_id,
        status: "pending",
        score_given: null,
        score_maximum: null,
        last_error: null,
        sent_at: null,
        updated_at: input.now,
      })
      .onConflict((oc) =>
        oc.columns(["line_item_url", "user_id"]).doUpdateSet({ status: "pending", last_error: null, updated_at: input.now }),
      )
      .execute();
  }
  const waiting = await q
    .selectFrom("jobs")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .select("jobs.id")
    .where("jobs.purpose", "=", PASSBACK_PURPOSE)
    .where("jobs.status", "=", "queued")
    .where("submissions.assignment_id", "=", submission.assignment_id)
    .where("submissions.user_id", "=", submission.user_id)
    .executeTakeFirst();
  // The waiting job reads the grade when it runs, so it will send this one too; its backoff stands.
  if (waiting) return true;
  await insertJob(q, db.dialect, {
    submissionId: input.submissionId,
    priority: PASSBACK_PRIORITY,
    maxAttempts: PASSBACK_MAX_ATTEMPTS,
    now: input.now,
    purpose: PASSBACK_PURPOSE,
  });
  return true;
}

export interface ClaimedPassback {
  jobId: string;
  attempts: number;
  maxAttempts: number;
  assignmentId: string;
  userId: string;
  courseId: string;
  targets: PassbackTarget[];
}

/** Leases the oldest runnable passback job (FOR UPDATE SKIP LOCKED on PostgreSQL). */
export async function claimPassback(db: Db, input: { workerId: string; leaseMs: number; now: number }): Promise<ClaimedPassback | null> {
  return writeTx(db, async (q) => {
    let candidate = q
      .selectFrom("jobs")
      .select("id")
      .where("purpose", "=", PASSBACK_PURPOSE)
      .where("status", "=", "queued")
      .where("run_after", "<=", input.now)
      .orderBy("run_after")
      .orderBy("seq")
      .limit(1);
    if (db.dialect === "postgres") candidate = candidate.forUpdate().skipLocked();
    const picked = await candidate.executeTakeFirst();
    if (!picked) return null;
    const job = await q
      .updateTable("jobs")
      .set({
        status: "running",
        lease_until: input.now + input.leaseMs,
        worker_id: input.workerId,
        attempts: sql<number>`attempts + 1`,
        started_at: input.now,
      })
      .where("id", "=", picked.id)
      .where("status", "=", "queued")
      .returning(["id", "submission_id", "attempts", "max_attempts"])
      .executeTakeFirst();
    if (!job) return null;
    const owner = await q
      .selectFrom("submissions")
      .innerJoin("assignments", "assignments.id", "submissions.assignment_id")
      .select(["submissions.assignment_id", "submissions.user_id", "assignments.course_id"])
      .where("submissions.id", "=", job.submission_id)
      .executeTakeFirstOrThrow();
    return {
      jobId: job.id,
      attempts: job.attempts,
      maxAttempts: job.max_attempts,
      assignmentId: owner.assignment_id,
      userId: owner.user_id,
      courseId: owner.course_id,
      targets: await targetsOf(q, owner.assignment_id, owner.user_id),
    };
  });
}

/** Records the outcome for one line item of a claimed passback. */
export async function recordPassback(
  db: Db,
  input: {
    lineItemUrl: string;
    userId: string;
    status: PassbackStatus;
    scoreGiven?: number;
    scoreMaximum?: number;
    error?: string;
    now: number;
  },
): Promise<void> {
  await db.kysely
    .updateTable("lti_passbacks")
    .set({
      status: input.status,
      ...(input.scoreGiven === undefined ? {} : { score_given: input.scoreGiven, score_maximum: input.scoreMaximum ?? null }),
      last_error: input.error?.slice(0, 1000) ?? null,
      ...(input.status === "sent" ? { sent_at: input.now } : {}),
      updated_at: input.now,
    })
    .where("line_item_url", "=", input.lineItemUrl)
    .where("user_id", "=", input.userId)
    .execute();
}

/**
 * Ends a claimed passback: `done`, `retry` after `delayMs` (the line items stay pending with the
 * reason) or `dead` (they are marked failed with the reason; an instructor may retry from the gradebook).
 */
export async function finishPassback(
  db: Db,
  input:
    | { jobId: string; workerId: string; outcome: "done" }
    | { jobId: string; workerId: string; outcome: "retry"; delayMs: number; error: string }
    | { jobId: string; workerId: string; outcome: "dead"; error: string },
  now: number,
): Promise<void> {
  const mine = (q: Kysely<Database>) =>
    q.updateTable("jobs").where("id", "=", input.jobId).where("worker_id", "=", input.workerId).where("status", "=", "running");
  if (input.outcome === "done") {
    await mine(db.kysely).set({ status: "done", finished_at: now, lease_until: null, last_error: null }).execute();
  } else if (input.outcome === "retry") {
    await mine(db.kysely)
      .set({ status: "queued", run_after: now + input.delayMs, lease_until: null, worker_id: null, last_error: input.error.slice(0, 1000) })
      .execute();
  } else {
    await mine(db.kysely)
      .set({ status: "dead", finished_at: now, lease_until: null, last_error: input.error.slice(0, 1000) })
      .execute();
  }
}

export interface PassbackState {
  assignmentId: string;
  userId: string;
  lineItemUrl: string;
  status: PassbackStatus;
  /** Points sent (of scoreMaximum), once sent. */
  scoreGiven: number | null;
  scoreMaximum: number | null;
  /** Why the last attempt failed: for `failed`, and for `pending` while it is being retried. */
  lastError: string | null;
  sentAt: number | null;
  updatedAt: number;
}

/** The passback state of every gradebook cell of a course that an LMS line item is bound to. */
export async function passbackStates(db: Db, courseId: string): Promise<PassbackState[]> {
  const rows = await db.kysely
    .selectFrom("lti_passbacks")
    .innerJoin("assignments", "assignments.id", "lti_passbacks.assignment_id")
    .selectAll("lti_passbacks")
    .where("assignments.course_id", "=", courseId)
    .orderBy("lti_passbacks.assignment_id")
    .orderBy("lti_passbacks.user_id")
    .execute();
  return rows.map((r) => ({
    assignmentId: r.assignment_id,
    userId: r.user_id,
    lineItemUrl: r.line_item_url,
    status: r.status === "sent" || r.status === "failed" ? r.status : "pending",
    scoreGiven: r.score_given === null ? null : Number(r.score_given),
    scoreMaximum: r.score_maximum === null ? null : Number(r.score_maximum),
    lastError: r.last_error,
    sentAt: r.sent_at === null ? null : Number(r.sent_at),
    updatedAt: Number(r.updated_at),
  }));
}

/** Queues the passback of one cell again (the gradebook's "retry"); false when the student has no submission or no line item. */
export async function retryPassback(db: Db, input: { assignmentId: string; userId: string; now: number }): Promise<boolean> {
  return writeTx(db, async (q) => {
    const latest = await q
      .selectFrom("submissions")
      .select("id")
      .where("assignment_id", "=", input.assignmentId)
      .where("user_id", "=", input.userId)
      .orderBy("created_at", "desc")
      .executeTakeFirst();
    return latest ? queuePassback(q, db, { submissionId: latest.id, now: input.now }) : false;
  });
}
