/**
 * A job's life in the queue: claimed under a lease, kept alive by heartbeats, then completed,
 * failed (retried with backoff or dead-lettered), handed back, reaped when its lease lapses, or
 * cancelled.
 */
import { type JobWork, Verdict } from "@stepwise/core/contracts";
import { type Kysely, sql } from "kysely";
import { type Db, writeTx } from "./connection";
import { type JobRow, type SubmissionRow, toJob, toJobWork, toSubmission } from "./rows";
import type { Database } from "./schema";
import { notifyJob } from "./progress";
import { markDead } from "./queue-dead-letters";
import { claimOrder } from "./queue-position";
import { PASSBACK_PURPOSE, queuePassback } from "./lti/passback";
import { GRADE_PURPOSE } from "./submissions";

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

/** How a kind of job keeps its result: the table keyed by job id, and the write itself. */
export interface Completion {
  /** Where the result lands; a row there for the job means it was already completed. */
  table: "verdicts" | "experiment_results";
  /** Only a job of this purpose may complete this way (any purpose when absent). */
  purpose?: string;
  store: (q: Kysely<Database>, job: { id: string; submission_id: string; purpose: string }) => Promise<void>;
}

/**
 * Stores a job's result and marks it done, idempotently: results are keyed by job id, so a
 * repeated call returns "duplicate" and stores nothing. Only the lease holder may complete;
 * anyone else gets "lost" (the job was reclaimed or cancelled and its result is discarded).
 */
export async function complete(
  db: Db,
  input: { jobId: string; workerId: string; now: number },
  completion: Completion,
): Promise<"stored" | "duplicate" | "lost"> {
  return writeTx(db, async (q) => {
    const existing = await q.selectFrom(completion.table).select("job_id").where("job_id", "=", input.jobId).executeTakeFirst();
    if (existing) return "duplicate";
    let update = q
      .updateTable("jobs")
      // A fault of an earlier attempt is history once the job is done: instructors read last_error as "why it is stuck".
      .set({ status: "done", finished_at: input.now, lease_until: null, last_error: null })
      .where("id", "=", input.jobId)
      .where("worker_id", "=", input.workerId)
      .where("status", "=", "running");
    if (completion.purpose !== undefined) update = update.where("purpose", "=", completion.purpose);
    const job = await update.returning(["id", "submission_id", "purpose"]).executeTakeFirst();
    if (!job) return "lost";
    await completion.store(q, job);
    await notifyJob(q, db, job.id);
    return "stored";
  });
}

/** Completes a grading with its verdict (see `complete`); a student's own grading is then passed back to their LMS. */
export async function completeJob(
  db: Db,
  input: { jobId: string; workerId: string; verdict: Verdict; now: number },
): Promise<"stored" | "duplicate" | "lost"> {
  const verdict = Verdict.parse(input.verdict);
  return complete(db, input, {
    table: "verdicts",
    store: async (q, job) => {
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
    },
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
