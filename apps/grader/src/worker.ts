import {
  appendLog,
  claimJob,
  completeExperimentJob,
  completeJob,
  failJob,
  handBackJob,
  listJobs,
  reapExpired,
  type ClaimedJob,
  type Db,
} from "@stepwise/db";
import type { TimedTraining } from "@stepwise/core/model";
import type { GraderConfig } from "./config";
import { DbHealth } from "./db-health";
import { runExperimentJob } from "./experiment";
import { gradeClaimedJob } from "./grade";
import { startHeartbeats } from "./heartbeat";
import { GraderFault, type JobContext, type JobResult } from "./job-context";
import { GraderMetrics } from "./metrics";
import { graderJail } from "./jail";
import { WarmPool } from "./sandbox";
import { runTuningJob } from "./tune";
import { warmUp } from "./warm-up";

export interface GraderHandle {
  readonly metrics: GraderMetrics;
  /**
   * Stop claiming and let running jobs finish for up to `drainMs` (default: however long they
   * take); jobs still running then are handed back to the queue without charging an attempt.
   * Resolves once every job is finished or handed back. Calling it again returns the same promise.
   */
  stop(drainMs?: number): Promise<void>;
  /** Hand every running job back now, without waiting for the drain (a second signal). */
  handBack(): void;
  /** Jobs this process is training right now. */
  readonly running: number;
  /** Whether the warm-up is over and the grader claims jobs (`/healthz` "ready"). */
  readonly ready: boolean;
  readonly health: DbHealth;
}

export interface GraderDeps {
  db: Db;
  /** Counters shared with the /metrics endpoint, which may start before the grader does. */
  metrics?: GraderMetrics;
  /** Database reachability shared with /healthz. */
  health?: DbHealth;
  now?: () => number;
  log?: (line: string) => void;
  /** The training speed this grader published (`calibration.ts`), for the students' time estimates. */
  gflops?: () => number | null;
  /** Told of every training that completed, gradings and tuning trials alike (`Calibrator.observe`): how the calibration compares with real work. */
  onTrained?: (run: TimedTraining) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** Exponential backoff for grader faults: 2 s, 4 s, 8 s … capped at a minute. */
export const backoffMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** attempt);

/**
 * A signal to the process group reaches the training child as well as this process, and the
 * child may die of it a moment before our own handler marks the shutdown. A fault this soon
 * before a shutdown is taken for the shutdown's doing.
 */
const SIGNAL_GRACE_MS = 300;
/** How long a hand-back keeps trying an unreachable database before leaving the job to lease expiry, ms. */
const HAND_BACK_RETRY_MS = 10_000;
/**
 * A main thread silent this long is hung, and its jobs should go to another grader, ms. Not the
 * training ceiling: that one is wall-clock time a child may legitimately need on a busy machine.
 */
const STALL_MS = 15 * 60_000;
/** Wait between probes of an unreachable database, ms. */
const PROBE_EVERY_MS = 1_000;

const text = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs `concurrency` claim loops in this process. Training happens in child processes and lease
 * renewals in a thread of their own (`heartbeat.ts`), so neither a model nor a dataset being
 * prepared on this event loop can starve them.
 */
export function startGrader(config: GraderConfig, deps: GraderDeps): GraderHandle {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? ((line: string) => console.log(`[grader ${config.workerId}] ${line}`));
  const health = deps.health ?? new DbHealth(now, log);
  const stopping = new AbortController();
  const handingBack = new AbortController();
  const metrics = deps.metrics ?? new GraderMetrics();
  const pool = new WarmPool(config.concurrency, config.memoryMb, config.backend, config.childJobs, graderJail(config));
  metrics.pool = pool.stats;
  /** The running jobs, each with the controller that stops its training. */
  const active = new Map<string, AbortController>();
  let claiming = 0;
  let suspectOrphans = false;
  const heartbeats = startHeartbeats(
    db,
    {
      databaseUrl: config.databaseUrl,
      workerId: config.workerId,
      leaseMs: config.leaseMs,
      heartbeatMs: config.heartbeatMs,
      stallMs: Math.min(config.hardTimeoutMs, STALL_MS),
    },
    {
      ...(deps.now ? { now: deps.now } : {}),
      log,
      onReport: (report) => {
        if (report.ok) health.reachable();
        else if (report.connection) health.unreachable(report.message);
        else log(`heartbeat failed: ${report.message}`);
      },
    },
  );

  const giveBack = async (jobId: string, why: string) => {
    try {
      const back = await health.retrying(
        () => handBackJob(db, { jobId, workerId: config.workerId, now: now() }),
        now() + HAND_BACK_RETRY_MS,
        sleep,
      );
      log(back ? `handed job ${jobId} back to the queue (${why}); no attempt charged` : `job ${jobId} was no longer ours to hand back`);
    } catch (error) {
      log(`could not hand job ${jobId} back (${text(error)}); it returns to the queue when its lease expires`);
    }
  };

  /** Should a job whose work failed go back to the queue uncharged, rather than count as a grader fault? */
  const notTheJobsFault = async (error: unknown): Promise<string | null> => {
    if (handingBack.signal.aborted) return "shutting down";
    if (health.failed(error)) return "the database became unreachable";
    if (!stopping.signal.aborted) await sleep(SIGNAL_GRACE_MS, stopping.signal);
    return stopping.signal.aborted ? "shutting down" : null;
  };

  const record = async (jobId: string, work: JobResult, started: number) => {
    // Both writes are idempotent per job, so retrying one whose answer was lost stores nothing twice.
    const deadline = now() + config.leaseMs;
    if (work.kind === "experiment") {
      const stored = await health.retrying(
        () => completeExperimentJob(db, { jobId, workerId: config.workerId, outcome: work.outcome, now: now() }),
        deadline,
        sleep,
      );
      metrics.recordJob("experiment", now() - started);
      log(`job ${jobId} → experiment ${work.experiment}: ${work.summary} (${now() - started} ms, ${stored})`);
      return;
    }
    const { verdict } = work;
    const stored = await health.retrying(() => completeJob(db, { jobId, workerId: config.workerId, verdict, now: now() }), deadline, sleep);
    metrics.recordJob(verdict.status, now() - started);
    log(`job ${jobId} → ${verdict.status} (score ${verdict.score.toFixed(2)}, ${now() - started} ms, ${stored})`);
  };

  const processJob = async (claimed: ClaimedJob) => {
    const { job } = claimed;
    const stop = new AbortController();
    let lost = false;
    active.set(job.id, stop);
    if (handingBack.signal.aborted) stop.abort();
    heartbeats.watch(job.id, () => {
      lost = true;
      log(`lost the lease on job ${job.id}; stopping its training`);
      stop.abort();
    });
    const started = now();
    try {
      let work: JobResult;
      try {
        const ctx: JobContext = {
          db,
          config,
          signal: stop.signal,
          now,
          pool,
          onBackend: (b) => (metrics.backend = b),
          ...(deps.gflops ? { gflops: deps.gflops } : {}),
          ...(deps.onTrained ? { onTrained: deps.onTrained } : {}),
        };
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
        if (lost) return; // someone else owns the job now; write nothing
        const why = await notTheJobsFault(error);
        if (why !== null) return await giveBack(job.id, why);
        const message = error instanceof GraderFault ? error.message : `unexpected grader error: ${text(error)}`;
        await appendLog(db, job.id, `attempt ${job.attempts}: ${message}\n`).catch(() => undefined);
        const result = await health.retrying(
          () => failJob(db, { jobId: job.id, workerId: config.workerId, error: message, now: now(), backoffMs }),
          now() + config.leaseMs,
          sleep,
        );
        metrics.recordJob("fault", now() - started);
        log(`job ${job.id} attempt ${job.attempts} failed (${result}): ${message}`);
        return;
      }
      if (!lost) await record(job.id, work, started);
    } finally {
      heartbeats.unwatch(job.id);
      active.delete(job.id);
    }
  };

  /**
   * A claim whose statement committed but whose answer was lost with the connection leaves a job
   * running under our name that no loop works on. Once the database answers and no claim is in
   * flight (whose job would look the same), such jobs go back to the queue uncharged.
   */
  const recoverOrphans = async () => {
    if (!suspectOrphans || claiming > 0) return;
    suspectOrphans = false;
    try {
      const running = await listJobs(db, { status: "running", limit: 1000 });
      for (const job of running)
        if (job.workerId === config.workerId && !active.has(job.id))
          await giveBack(job.id, "its claim was interrupted by a lost connection");
    } catch (error) {
      suspectOrphans = true;
      health.failed(error);
    }
  };

  // Before the first claim: the warm children load and train a tiny model, so the first job is as fast as the next.
  let ready = false;
  const warmed = (
    config.warmUp === "on" ? warmUp(config, pool, config.concurrency, { signal: stopping.signal, log }) : Promise.resolve(null)
  ).then((result) => {
    if (result) log(`warmed up ${result.children} training child(ren) in ${result.ms} ms`);
    ready = true;
  });

  const loop = async () => {
    // A job claimed before its lease can be renewed could expire under a healthy grader.
    await Promise.race([
      Promise.all([heartbeats.ready, warmed]),
      new Promise((resolve) => stopping.signal.addEventListener("abort", resolve, { once: true })),
    ]);
    while (!stopping.signal.aborted) {
      if (health.unreachableSince !== null && !(await health.probe(db))) {
        await sleep(Math.max(config.pollMs, PROBE_EVERY_MS), stopping.signal);
        continue;
      }
      await recoverOrphans();
      let claimed: ClaimedJob | null = null;
      claiming += 1;
      try {
        claimed = await claimJob(db, { workerId: config.workerId, leaseMs: config.leaseMs, now: now() });
        health.reachable();
      } catch (error) {
        if (health.failed(error)) suspectOrphans = true;
        else log(`claim failed: ${text(error)}`);
      } finally {
        claiming -= 1;
      }
      if (!claimed) {
        await sleep(config.pollMs, stopping.signal);
        continue;
      }
      try {
        await processJob(claimed);
      } catch (error) {
        // The outcome could not be written even after retries: the lease expires and the job is reclaimed.
        health.failed(error);
        log(`could not record the outcome of job ${claimed.job.id}: ${text(error)}`);
      }
    }
  };

  const reaper = setInterval(() => {
    if (health.unreachableSince !== null) return;
    reapExpired(db, now())
      .then((count) => {
        if (count > 0) log(`re-queued ${count} job(s) whose lease expired`);
      })
      .catch((error: unknown) => {
        if (!health.failed(error)) log(`reaper failed: ${text(error)}`);
      });
  }, config.reapEveryMs);

  const loops = Array.from({ length: config.concurrency }, () => loop());
  log(`started: ${config.concurrency} slot(s), backend preference ${config.backend}`);

  const handBack = () => {
    stopping.abort();
    if (handingBack.signal.aborted) return;
    handingBack.abort();
    if (active.size > 0) log(`handing ${active.size} running job(s) back to the queue`);
    for (const stop of active.values()) stop.abort();
  };
  let stopped: Promise<void> | null = null;

  return {
    metrics,
    health,
    get running() {
      return active.size;
    },
    get ready() {
      return ready;
    },
    handBack,
    stop(drainMs = Number.POSITIVE_INFINITY) {
      stopped ??= (async () => {
        stopping.abort();
        clearInterval(reaper);
        const deadline = Number.isFinite(drainMs) ? setTimeout(handBack, drainMs) : undefined;
        await Promise.all(loops);
        clearTimeout(deadline);
        pool.close();
        await heartbeats.close();
        log("stopped");
      })();
      return stopped;
    },
  };
}
