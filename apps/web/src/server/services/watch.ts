import type { JobStatus, ProgressEvent, Verdict } from "@stepwise/core/contracts";
import { latestJobForSubmission, progressSince, queueStanding, verdictForJob, type Db } from "@stepwise/db";
import { verdictFor, type StudentVerdict } from "./verdict-view";

export interface WatchUpdate {
  job: {
    id: string;
    status: JobStatus;
    /** Jobs ahead of this one under fair claiming (0 = next); null unless queued. */
    queuePosition: number | null;
    /** Estimated seconds until a grader starts it, in steps of 5 s; null unless queued and some job has finished to measure by. */
    estimatedWaitSeconds: number | null;
    attempts: number;
  } | null;
  /** Progress events stored since the previous update (all of them in the first one). */
  events: ProgressEvent[];
  /** The whole verdict for an instructor of the course, the student's view for everyone else. */
  verdict: Verdict | StudentVerdict | null;
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(["done", "dead", "cancelled"]);

/** Resolves after `ms`, or early (without throwing) when the subscriber goes away. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Streams a submission's grading by polling the database: the web tier holds no state, so this
 * works on whichever instance the browser reaches. Yields when something changed, and stops
 * once a verdict exists or the job ended without one (dead or cancelled).
 */
export async function* watchSubmission(
  db: Db,
  input: {
    submissionId: string;
    deadline: number | null;
    viewer: "student" | "instructor";
    pollMs: number;
    now: () => number;
    signal?: AbortSignal;
  },
): AsyncGenerator<WatchUpdate, void, unknown> {
  let afterSeq = 0;
  let lastKey = "";
  while (!input.signal?.aborted) {
    const job = await latestJobForSubmission(db, input.submissionId);
    const progress = job ? await progressSince(db, job.id, afterSeq) : [];
    const lastEntry = progress[progress.length - 1];
    if (lastEntry) afterSeq = lastEntry.seq;
    const rawVerdict = job ? await verdictForJob(db, job.id) : null;
    const standing = job?.status === "queued" ? await queueStanding(db, job.id, input.now()) : null;
    // Rounded so a wait that shrinks by milliseconds at every poll is not a change to send.
    const wait = standing?.estimatedWaitMs;
    const update: WatchUpdate = {
      job: job
        ? {
            id: job.id,
            status: job.status,
            queuePosition: standing?.position ?? null,
            estimatedWaitSeconds: wait === null || wait === undefined ? null : Math.round(wait / 5_000) * 5,
            attempts: job.attempts,
          }
        : null,
      events: progress.map((p) => p.event),
      verdict: rawVerdict ? verdictFor(rawVerdict, input.viewer, { deadline: input.deadline, now: input.now() }) : null,
    };
    const key = JSON.stringify([update.job, afterSeq, update.verdict !== null]);
    if (key !== lastKey || update.events.length > 0) {
      lastKey = key;
      yield update;
    }
    if (update.verdict || !job || TERMINAL.has(job.status)) return;
    await pause(input.pollMs, input.signal);
  }
}
