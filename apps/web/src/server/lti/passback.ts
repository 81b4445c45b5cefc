import { gradebookData } from "@stepwise/db";
import { claimPassback, type ClaimedPassback, finishPassback, platformById, recordPassback } from "@stepwise/db/lti";
import { passbackDelayMs, PlatformServiceError, postScore } from "@stepwise/lti";
import { buildGradebook } from "../services/gradebook";
import { LINE_ITEM_MAXIMUM } from "./deep-link";
import { registrationOf, type ServiceDeps } from "./deps";

/** A passback's lease: long enough for one score to a slow LMS. */
export const PASSBACK_LEASE_MS = 60_000;

export interface PassbackRun {
  /** Scores the LMS accepted. */
  sent: number;
  /** Jobs put back to wait (rate limit, LMS down). */
  retrying: number;
  /** Line items marked failed. */
  failed: number;
}

/**
 * The student's current grade on the assignment, in LMS points, by the gradebook's own rule (best
 * late-adjusted score, step 7's latest evaluation); null when nothing is graded, or when the user is
 * not a student of the course (teachers are not gradebook rows, so their scores cannot leave).
 */
async function currentPoints(deps: ServiceDeps, job: ClaimedPassback): Promise<number | null | "not_student"> {
  const data = await gradebookData(deps.db, { courseId: job.courseId, assignmentId: job.assignmentId });
  const row = data ? buildGradebook(data).rows.find((r) => r.student.id === job.userId) : undefined;
  if (!row) return "not_student";
  const best = row.cells[0]?.best ?? null;
  return best === null ? null : Math.round(best * LINE_ITEM_MAXIMUM * 100) / 100;
}

/**
 * Sends queued grade passbacks one at a time, each to its line items in turn, until the queue has
 * nothing runnable. A platform that says "later" (429, 5xx, 403 with x-rate-limit-remaining: 0) ends
 * the run: its job waits out the backoff, and nothing else is sent into the limit meanwhile. A score
 * already sent is not sent again, so a retried job never doubles a grade in the LMS.
 */
export async function runPassbacks(deps: ServiceDeps, input: { workerId: string; maxJobs?: number }): Promise<PassbackRun> {
  const run: PassbackRun = { sent: 0, retrying: 0, failed: 0 };
  for (let n = 0; n < (input.maxJobs ?? Number.POSITIVE_INFINITY); n++) {
    const now = deps.clock();
    const job = await claimPassback(deps.db, { workerId: input.workerId, leaseMs: PASSBACK_LEASE_MS, now });
    if (!job) break;
    const points = await currentPoints(deps, job);
    if (points === null || points === "not_student") {
      const error = points === null ? "No grade to send yet." : "Only students' grades are sent to the LMS.";
      for (const t of job.targets)
        await recordPassback(deps.db, { lineItemUrl: t.lineItemUrl, userId: job.userId, status: "failed", error, now });
      run.failed += job.targets.length;
      await finishPassback(deps.db, { jobId: job.jobId, workerId: input.workerId, outcome: "done" }, now);
      continue;
    }
    let paused = false;
    for (const target of job.targets) {
      if (target.status === "sent" && target.scoreGiven === points) continue;
      const platform = registrationOf(await platformById(deps.db, target.platformId));
      try {
        await postScore(deps, platform, target.lineItemUrl, {
          userId: target.sub,
          scoreGiven: points,
          scoreMaximum: LINE_ITEM_MAXIMUM,
          timestamp: new Date(deps.clock()).toISOString(),
        });
        await recordPassback(deps.db, {
          lineItemUrl: target.lineItemUrl,
          userId: job.userId,
          status: "sent",
          scoreGiven: points,
          scoreMaximum: LINE_ITEM_MAXIMUM,
          now: deps.clock(),
        });
        run.sent++;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof PlatformServiceError && error.retryable && job.attempts < job.maxAttempts) {
          await recordPassback(deps.db, {
            lineItemUrl: target.lineItemUrl,
            userId: job.userId,
            status: "pending",
            error: message,
            now: deps.clock(),
          });
          await finishPassback(
            deps.db,
            { jobId: job.jobId, workerId: input.workerId, outcome: "retry", delayMs: passbackDelayMs(error, job.attempts), error: message },
            deps.clock(),
          );
          run.retrying++;
          paused = true;
          break;
        }
        await recordPassback(deps.db, {
          lineItemUrl: target.lineItemUrl,
          userId: job.userId,
          status: "failed",
          error: message,
          now: deps.clock(),
        });
        run.failed++;
      }
    }
    if (paused) break;
    await finishPassback(deps.db, { jobId: job.jobId, workerId: input.workerId, outcome: "done" }, deps.clock());
  }
  return run;
}
