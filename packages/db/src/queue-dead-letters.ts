/**
 * Dead letters: a job that failed all its attempts (or whose submission cannot be read) ends with
 * an "error" verdict, a failed experiment result or a failed passback, and an administrator may put
 * it back in the queue.
 */
import { NotFoundError, PreconditionError, type Verdict } from "@stepwise/core/contracts";
import type { Kysely } from "kysely";
import { type Db, writeTx } from "./connection";
import { notifyJob } from "./progress";
import { type JobRow, toJob } from "./rows";
import type { Database } from "./schema";
import { PASSBACK_PURPOSE } from "./lti/passback";

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

export async function markDead(
  q: Kysely<Database>,
  db: Db,
  job: { id: string; submission_id: string; attempts: number },
  error: string,
  now: number,
) {
  await q
    .updateTable("jobs")
    .set({ status: "dead", finished_at: now, lease_until: null, last_error: error })
    .where("id", "=", job.id)
    .execute();
  const { purpose } = await q.selectFrom("jobs").select("purpose").where("id", "=", job.id).executeTakeFirstOrThrow();
  if (purpose === PASSBACK_PURPOSE) {
    // A passback carries no verdict; its line items say it failed.
    await q
      .updateTable("lti_passbacks")
      .set({ status: "failed", last_error: error.slice(0, 1000), updated_at: now })
      .where("status", "=", "pending")
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
