import { type JobStatus, type JobWork, NotFoundError, PreconditionError, Verdict } from "@stepwise/core/contracts";
import { type Kysely, sql } from "kysely";
import { type Db, writeTx } from "./connection";
import { type JobRow, type SubmissionRow, toJob, toJobWork, toSubmission } from "./rows";
import type { Database } from "./schema";

import { JOB_CHANNEL } from "./progress";
import { claimOrder } from "./queue-position";
import { PASSBACK_PURPOSE, queuePassback } from "./lti/passback";
import { GRADE_PURPOSE } from "./submissions";

export { appendLog, appendProgress, jobLog, progressSince, DEFAULT_LOG_CAP_BYTES, JOB_CHANNEL } from "./progress";
export type { JobRow, SubmissionRow } from "./rows";
export { claimQueue, fairOrder, estimateWaitMs, queuePosition, queueStanding, type QueueStanding, type QueuedJob } from "./queue-position";

/**
 * A leased job with its validated submission and what it asks for (`JobWork`: grade, experiment or
 * tune), so the grader dispatches on the claim without asking the database again.
 */
export type ClaimedJob = JobWork & {
  job: JobRow;
  submission: SubmissionRow;
};

/** Default retry delay after a grader fault: 5 s, doubling per attempt, at most 10 min. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 600_000);
}

export async function notifyJob(q: Kysely<Database>, db: Db, jobId: string): Promise<void> {
  if (db.dialect === "postgres") await sql`select pg_notify(${JOB_CHANNEL}, ${jobId})`.execute(q);
}

/** The verdict stored when a job is dead-lettered: the grader failed, not the student. */
export function deadLetterVerdict(attempts: number, error: string): Verdict {
  return {
    status: "error",
    score: 0,
    summary: `Grading failed ${attempts} time${attempts === 1 ? "" : "s"} because of a problem on our side; this attempt does not count.`,
    checks: [],
    metrics: {},
    curves: { history: [] },
    diagnostics: [
      {
        code: "grader_error",
        message: error.slice(0, 2000),
        hint: "Nothing to change in your model: ask your instructor to regrade, or submit again later.",
      },
    ],
  };
}

async function markDead(q: Kysely<Database>, db: Db, job: { id: string; submission_id: string; attempts: number }, error: string, now: number) {
  await q
    .updateTable("jobs")
    .set({ status: "dead", finished_at: now, lease_until: null, last_error: error })
    .where("id", "=", job.id)
    .execute();
  const { purpose } = await q.selectFrom("jobs").select("purpose").where("id", "=", job.id).executeTakeFirstOrThrow();
  if (purpose === PASSBACK_PURPOSE) {
    // A passback carries no verdict; its line items say it failed.
    await q.updateTable("lti_passbacks").set({ status: "failed", last_error: error.slice(0, 1000), updated_at: now }).where("status", "=", "pending")
      .where("user_id", "in", q.selectFrom("submissions").select("user_id").where("id", "=", job.submission_id))
      .where("assignment_id", "in", q.selectFrom("submissions").select("assignment_id").where("id", "=", job.submission_id))
      .execute();
  } else if (purpose === "experiment") {
    // An experiment ends in an experiment result, never a verdict: a verdict row on its job would
    // sit beside the submission's real grading and be read as one by anything not filtering purpose.
    // The grader's error stays in jobs.last_error for instructors; students read a plain sentence.
    const message = `The grader could not run this experiment (${job.attempts} attempt${job.attempts === 1 ? "" : "s"}) because of a problem on our side; it cost none of your budget. Try again later.`;
    await q
      .insertInto("experiment_results")
      .values({ job_id: job.id, result: JSON.stringify({ failed: true, message: message.slice(0, 4000) }), created_at: now })
      .onConflict((oc) => oc.column("job_id").doNothing())
      .execute();
  } else {
    await q
      .insertInto("verdicts")
      .values({
        job_id: job.id,
        submission_id: job.submission_id,
        status: "error",
        verdict: JSON.stringify(deadLetterVerdict(job.attempts, error)),
        created_at: now,
      })
      .onConflict((oc) => oc.column("job_id").doNothing())
      .execute();
  }
  await notifyJob(q, db, job.id);
}

/**
 * Claims the next runnable job among queued jobs whose runAfter ≤ now, fairly across students, and
 * leases it to `workerId` until now + leaseMs. The order (`claimOrder`): lowest priority first, so a
 * student's grading still goes before experiments and regrade previews; within a priority, the
 * student with the fewest running jobs, then the one claimed for least recently (round-robin), then
 * that student's oldest job. Four jobs from one student no longer hold back another student's one.
 *
 * On PostgreSQL the claims of all graders are serialized by a transaction-scoped advisory lock (per
 * schema): two claimers deciding at once would each see the other's student as idle and could start
 * two jobs of one student while another waits. A claim is one short statement, so graders queue on it
 * for milliseconds. The candidate row is still taken FOR UPDATE SKIP LOCKED, so a job row held by a
 * cancel or a retry is passed over instead of waited on. On SQLite the claim is one statement, and
 * SQLite serializes writers on its own.
 */
export async function claimJob(db: Db, input: { workerId: string; leaseMs: number; now: number }): Promise<ClaimedJob | null> {
  for (;;) {
    const take = (q: Kysely<Database>) => {
      let candidate = claimOrder(q.selectFrom("jobs").innerJoin("submissions", "submissions.id", "jobs.submission_id"))
        .select("jobs.id")
        .where("jobs.status", "=", "queued")
        .where("jobs.run_after", "<=", input.now)
        // Grade passback to an LMS is the passback runner's (lti/passback.ts), never a grader's.
        .where("jobs.purpose", "!=", PASSBACK_PURPOSE)
        .limit(1);
      if (db.dialect === "postgres") candidate = candidate.forUpdate(["jobs"]).skipLocked();
      return q
        .updateTable("jobs")
        .set({
          status: "running",
          lease_until: input.now + input.leaseMs,
          worker_id: input.workerId,
          attempts: sql<number>`attempts + 1`,
          started_at: input.now,
        })
        .where("id", "=", candidate)
        .where("status", "=", "queued")
        .returningAll()
        .executeTakeFirst();
    };
    const row =
      db.dialect === "postgres"
        ? await writeTx(db, async (q) => {
            await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.jobs.claim'))`.execute(q);
            return take(q);
          })
        : await take(db.kysely);
    if (!row) return null;
    const submissionRow = await db.kysely.selectFrom("submissions").selectAll().where("id", "=", row.submission_id).executeTakeFirst();
    try {
      if (!submissionRow) throw new Error(`submission ${row.submission_id} is missing`);
      return { ...toJobWork(row), job: toJob(row), submission: toSubmission(submissionRow) };
    } catch (error) {
      // A job whose stored submission (or search) cannot be read would fail on every retry:
      // dead-letter it now and move on, rather than hand unvalidated data to the grader.
      const message = `Stored submission is unreadable: ${error instanceof Error ? error.message : String(error)}`;
      await writeTx(db, (q) => markDead(q, db, row, message, input.now));
    }
  }
}

/** Extends the lease. False when the job is no longer ours: reclaimed, cancelled or finished. */
export async function heartbeat(db: Db, input: { jobId: string; workerId: string; leaseMs: number; now: number }): Promise<boolean> {
  const result = await db.kysely
    .updateTable("jobs")
    .set({ lease_until: input.now + input.leaseMs })
    .where("id", "=", input.jobId)
    .where("worker_id", "=", input.workerId)
    .where("status", "=", "running")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Stores the verdict and marks the job done, idempotently: verdicts are keyed by job id, so a
 * repeated call returns "duplicate" and stores nothing. Only the lease holder may complete;
 * anyone else gets "lost" (the job was reclaimed or cancelled and its result is discarded).
 */
export async function completeJob(
  db: Db,
  input: { jobId: string; workerId: string; verdict: Verdict; now: number },
): Promise<"stored" | "duplicate" | "lost"> {
  const verdict = Verdict.parse(input.verdict);
  return writeTx(db, async (q) => {
    const existing = await q.selectFrom("verdicts").select("job_id").where("job_id", "=", input.jobId).executeTakeFirst();
    if (existing) return "duplicate";
    const job = await q
      .updateTable("jobs")
      // A fault of an earlier attempt is history once the job is done: instructors read last_error as "why it is stuck".
      .set({ status: "done", finished_at: input.now, lease_until: null, last_error: null })
      .where("id", "=", input.jobId)
      .where("worker_id", "=", input.workerId)
      .where("status", "=", "running")
      .returning(["id", "submission_id", "purpose"])
      .executeTakeFirst();
    if (!job) return "lost";
    await q
      .insertInto("verdicts")
      .values({
        job_id: job.id,
        submission_id: job.submission_id,
        status: verdict.status,
        verdict: JSON.stringify(verdict),
        created_at: input.now,
      })
      .execute();
    if (job.purpose === GRADE_PURPOSE) await queuePassback(q, db, { submissionId: job.submission_id, now: input.now });
    await notifyJob(q, db, job.id);
    return "stored";
  });
}

/**
 * Records a grader fault. Requeues the job after `backoffMs(attempts)` until it has been tried
 * maxAttempts times, then dead-letters it with an "error" verdict. If the job is no longer ours
 * nothing changes, and the answer describes the job's state: "retrying" while it is queued or
 * running elsewhere, "dead" otherwise.
 */
export async function failJob(
  db: Db,
  input: { jobId: string; workerId: string; error: string; now: number; backoffMs?: (attempt: number) => number },
): Promise<"retrying" | "dead"> {
  const backoff = input.backoffMs ?? defaultBackoffMs;
  return writeTx(db, async (q) => {
    let select = q.selectFrom("jobs").selectAll().where("id", "=", input.jobId);
    if (db.dialect === "postgres") select = select.forUpdate();
    const job = await select.executeTakeFirst();
    if (!job) return "dead";
    if (job.status !== "running" || job.worker_id !== input.workerId)
      return job.status === "queued" || job.status === "running" ? "retrying" : "dead";
    if (job.attempts >= job.max_attempts) {
      await markDead(q, db, job, input.error, input.now);
      return "dead";
    }
    await q
      .updateTable("jobs")
      .set({
        status: "queued",
        run_after: input.now + Math.max(0, backoff(job.attempts)),
        lease_until: null,
        worker_id: null,
        last_error: input.error,
      })
      .where("id", "=", job.id)
      .execute();
    return "retrying";
  });
}

/**
 * Gives a running job back to the queue without charging the attempt its claim cost: the grader
 * is shutting down, which says nothing about the job. Runnable at once by any grader. Only the
 * lease holder may hand a job back; false when the job is no longer ours (reclaimed, cancelled,
 * finished), and then nothing changes.
 */
export async function handBackJob(db: Db, input: { jobId: string; workerId: string; now: number }): Promise<boolean> {
  const result = await db.kysely
    .updateTable("jobs")
    .set({
      status: "queued",
      attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end`,
      run_after: input.now,
      lease_until: null,
      worker_id: null,
    })
    .where("id", "=", input.jobId)
    .where("worker_id", "=", input.workerId)
    .where("status", "=", "running")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Running jobs whose lease expired before `now` (their grader died or hung) go back to the
 * queue, or are dead-lettered once they have used all their attempts. Returns how many were reaped.
 */
export async function reapExpired(db: Db, now: number): Promise<number> {
  return writeTx(db, async (q) => {
    let select = q
      .selectFrom("jobs")
      .select(["id", "submission_id", "attempts", "max_attempts", "worker_id"])
      .where("status", "=", "running")
      .where("lease_until", "<", now);
    if (db.dialect === "postgres") select = select.forUpdate().skipLocked();
    const expired = await select.execute();
    for (const job of expired) {
      const error = `Lease expired while held by worker ${job.worker_id ?? "unknown"} (attempt ${job.attempts} of ${job.max_attempts})`;
      if (job.attempts >= job.max_attempts) {
        await markDead(q, db, job, error, now);
      } else {
        await q
          .updateTable("jobs")
          .set({ status: "queued", run_after: now, lease_until: null, worker_id: null, last_error: error })
          .where("id", "=", job.id)
          .execute();
      }
    }
    return expired.length;
  });
}

/** Cancels a queued or running job; a running one notices at its next heartbeat. */
export async function cancelJob(db: Db, jobId: string, now: number): Promise<boolean> {
  return writeTx(db, async (q) => {
    const result = await q
      .updateTable("jobs")
      .set({ status: "cancelled", finished_at: now, lease_until: null })
      .where("id", "=", jobId)
      .where("status", "in", ["queued", "running"])
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    await notifyJob(q, db, jobId);
    return true;
  });
}

export async function listJobs(
  db: Db,
  input: { status?: JobStatus; limit?: number } = {},
): Promise<Array<JobRow & { verdictStatus: string | null }>> {
  let query = db.kysely
    .selectFrom("jobs")
    .leftJoin("verdicts", "verdicts.job_id", "jobs.id")
    .selectAll("jobs")
    .select("verdicts.status as verdict_status")
    .orderBy("jobs.created_at", "desc")
    .orderBy("jobs.seq", "desc")
    .limit(Math.min(Math.max(1, input.limit ?? 100), 1000));
  if (input.status !== undefined) query = query.where("jobs.status", "=", input.status);
  const rows = await query.execute();
  return rows.map((row) => ({ ...toJob(row), verdictStatus: row.verdict_status }));
}

export async function queueStats(db: Db): Promise<Record<JobStatus, number>> {
  const rows = await db.kysely
    .selectFrom("jobs")
    .select((eb) => ["status", eb.fn.countAll<number>().as("count")])
    .groupBy("status")
    .execute();
  const stats: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, dead: 0, cancelled: 0 };
  for (const row of rows) if (row.status in stats) stats[row.status as JobStatus] = Number(row.count);
  return stats;
}

/** The course a job belongs to (through its submission's assignment), for authorization; null if no such job. */
export async function courseOfJob(db: Db, jobId: string): Promise<string | null> {
  const row = await db.kysely
    .selectFrom("jobs")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .innerJoin("assignments", "assignments.id", "submissions.assignment_id")
    .select("assignments.course_id")
    .where("jobs.id", "=", jobId)
    .executeTakeFirst();
  return row?.course_id ?? null;
}

/**
 * Puts a dead-lettered job back in the queue with fresh attempts, runnable now. The "error" verdict
 * written when it died and the progress of its failed attempts are removed, so the retry writes its
 * verdict like a first run and watchers see only its own epochs; the log keeps the failed attempts.
 * Anything but a dead job is refused (a queued or running job is already being graded).
 */
export async function retryDeadJob(db: Db, jobId: string, now: number): Promise<JobRow> {
  return writeTx(db, async (q) => {
    let select = q.selectFrom("jobs").selectAll().where("id", "=", jobId);
    if (db.dialect === "postgres") select = select.forUpdate();
    const job = await select.executeTakeFirst();
    if (!job) throw new NotFoundError(`No job with id "${jobId}".`);
    if (job.status !== "dead") throw new PreconditionError(`Only dead-lettered jobs can be retried; job "${jobId}" is ${job.status}.`);
    if (job.purpose === "preview" && job.regrade_id !== null) {
      const regrade = await q.selectFrom("regrades").select("status").where("id", "=", job.regrade_id).executeTakeFirst();
      if (regrade?.status !== "previewing")
        throw new PreconditionError(`This job previews a regrade that was ${regrade?.status ?? "deleted"}; start a new regrade instead.`);
    }
    await q.deleteFrom("verdicts").where("job_id", "=", jobId).execute();
    await q.deleteFrom("job_progress").where("job_id", "=", jobId).execute();
    const row = await q
      .updateTable("jobs")
      .set({ status: "queued", attempts: 0, run_after: now, lease_until: null, worker_id: null, started_at: null, finished_at: null })
      .where("id", "=", jobId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await notifyJob(q, db, jobId);
    return toJob(row);
  });
}
