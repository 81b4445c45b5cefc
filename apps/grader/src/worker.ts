import { appendLog, claimJob, completeExperimentJob, completeJob, failJob, heartbeat, reapExpired, type ClaimedJob, type Db } from "@stepwise/db";
import type { GraderConfig } from "./config";
import { runExperimentJob } from "./experiment";
import { gradeClaimedJob } from "./grade";
import { GraderFault, type JobContext, type JobResult } from "./job-context";
import { GraderMetrics } from "./metrics";
import { WarmPool } from "./sandbox";
import { runTuningJob } from "./tune";

export interface GraderHandle {
  readonly metrics: GraderMetrics;
  /** Stop claiming, let in-flight jobs finish (drain), then resolve. */
  stop(): Promise<void>;
  /** Jobs this process is training right now. */
  readonly running: number;
}

export interface GraderDeps {
  db: Db;
  /** Counters shared with the /metrics endpoint, which may start before the grader does. */
  metrics?: GraderMetrics;
  now?: () => number;
  log?: (line: string) => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

/** Exponential backoff for grader faults: 2 s, 4 s, 8 s … capped at a minute. */
export const backoffMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** attempt);

/**
 * Runs `concurrency` claim loops in this process. The lease heartbeat lives here, in the parent:
 * training happens in child processes, so a model that blocks its event loop for seconds can
 * never starve the heartbeat.
 */
export function startGrader(config: GraderConfig, deps: GraderDeps): GraderHandle {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? ((line: string) => console.log(`[grader ${config.workerId}] ${line}`));
  const stopping = new AbortController();
  const metrics = deps.metrics ?? new GraderMetrics();
  const pool = new WarmPool(config.concurrency, config.memoryMb, config.backend, config.childJobs);
  metrics.pool = pool.stats;
  let running = 0;

  const processJob = async (claimed: ClaimedJob) => {
    const { job } = claimed;
    const lease = new AbortController();
    const beat = setInterval(() => {
      heartbeat(db, { jobId: job.id, workerId: config.workerId, leaseMs: config.leaseMs, now: now() })
        .then((ours) => {
          if (!ours) {
            log(`lost the lease on job ${job.id}; stopping its training`);
            lease.abort();
          }
        })
        .catch((error: unknown) => log(`heartbeat failed for job ${job.id}: ${String(error)}`));
    }, config.heartbeatMs);
    const started = now();
    try {
      let work: JobResult;
      try {
        const ctx: JobContext = { db, config, signal: lease.signal, now, pool, onBackend: (b) => (metrics.backend = b) };
        // The claim says what the job asks for: a grading, a debugging experiment or a tuning search.
        switch (claimed.kind) {
          case "grade":
            work = { kind: "verdict", verdict: await gradeClaimedJob(claimed, ctx) };
            break;
          case "experiment":
            work = await runExperimentJob(claimed, ctx);
            break;
          case "tune":
            work = await runTuningJob(claimed, ctx);
            break;
        }
      } catch (error) {
        if (lease.signal.aborted) return; // someone else owns the job now; write nothing
        const message = error instanceof GraderFault ? error.message : `unexpected grader error: ${String(error)}`;
        await appendLog(db, job.id, `attempt ${job.attempts}: ${message}\n`);
        const result = await failJob(db, { jobId: job.id, workerId: config.workerId, error: message, now: now(), backoffMs });
        metrics.recordJob("fault", now() - started);
        log(`job ${job.id} attempt ${job.attempts} failed (${result}): ${message}`);
        return;
      }
      if (lease.signal.aborted) return;
      if (work.kind === "experiment") {
        const stored = await completeExperimentJob(db, { jobId: job.id, workerId: config.workerId, outcome: work.outcome, now: now() });
        metrics.recordJob("experiment", now() - started);
        log(`job ${job.id} → experiment ${work.experiment}: ${work.summary} (${now() - started} ms, ${stored})`);
        return;
      }
      const { verdict } = work;
      const stored = await completeJob(db, { jobId: job.id, workerId: config.workerId, verdict, now: now() });
      metrics.recordJob(verdict.status, now() - started);
      log(`job ${job.id} → ${verdict.status} (score ${verdict.score.toFixed(2)}, ${now() - started} ms, ${stored})`);
    } finally {
      clearInterval(beat);
    }
  };

  const loop = async () => {
    while (!stopping.signal.aborted) {
      let claimed: ClaimedJob | null = null;
      try {
        claimed = await claimJob(db, { workerId: config.workerId, leaseMs: config.leaseMs, now: now() });
      } catch (error) {
        log(`claim failed: ${String(error)}`);
      }
      if (!claimed) {
        await sleep(config.pollMs, stopping.signal);
        continue;
      }
      running += 1;
      try {
        await processJob(claimed);
      } catch (error) {
        // A failure to write the outcome (database gone): the lease will expire and the job be reclaimed.
        log(`could not record the outcome of job ${claimed.job.id}: ${String(error)}`);
      } finally {
        running -= 1;
      }
    }
  };

  const reaper = setInterval(() => {
    reapExpired(db, now())
      .then((count) => { if (count > 0) log(`re-queued ${count} job(s) whose lease expired`); })
      .catch((error: unknown) => log(`reaper failed: ${String(error)}`));
  }, config.reapEveryMs);

  const loops = Array.from({ length: config.concurrency }, () => loop());
  log(`started: ${config.concurrency} slot(s), backend preference ${config.backend}`);

  return {
    metrics,
    get running() { return running; },
    async stop() {
      stopping.abort();
      clearInterval(reaper);
      await Promise.all(loops);
      pool.close();
      log("stopped");
    },
  };
}
