import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { heartbeat, isConnectionError, sqliteFileOf, type Db } from "@stepwise/db";
import { z } from "zod";
import { entryScript } from "./entry";

/** Keeps the leases of the jobs this grader runs. */
export interface Heartbeats {
  /** Resolves once leases can be renewed; nothing should be claimed before. */
  readonly ready: Promise<void>;
  /** Renew `jobId`'s lease every interval until `unwatch`; `onLost` is called once if the job is no longer ours. */
  watch(jobId: string, onLost: () => void): void;
  unwatch(jobId: string): void;
  close(): Promise<void>;
}

/** What a round of renewals met, for the grader's view of its database. */
export type BeatReport = { ok: true } | { ok: false; connection: boolean; message: string };

export const LeaseSettings = z.object({
  databaseUrl: z.string(),
  workerId: z.string(),
  leaseMs: z.number().int().positive(),
  heartbeatMs: z.number().int().positive(),
  /** Leases stop being renewed when the grader's main thread has not said it is alive for this long, ms. */
  stallMs: z.number().int().positive(),
});
export type LeaseSettings = z.infer<typeof LeaseSettings>;

/**
 * One round of renewals over the watched jobs, wherever it runs. A job reported lost leaves the
 * set, so "lost the lease" is said once per attempt however many rounds were in flight.
 */
export class LeaseKeeper {
  private readonly jobs = new Set<string>();
  private busy = false;

  constructor(
    private readonly db: Db,
    private readonly settings: Pick<LeaseSettings, "workerId" | "leaseMs">,
    private readonly now: () => number,
    private readonly onLost: (jobId: string) => void,
    private readonly onReport: (report: BeatReport) => void,
  ) {}

  watch(jobId: string): void {
    this.jobs.add(jobId);
  }
  unwatch(jobId: string): void {
    this.jobs.delete(jobId);
  }

  async round(): Promise<void> {
    if (this.busy) return; // a round stuck on an unreachable database must not pile up behind itself
    this.busy = true;
    try {
      for (const jobId of [...this.jobs]) {
        try {
          const ours = await heartbeat(this.db, {
            jobId,
            workerId: this.settings.workerId,
            leaseMs: this.settings.leaseMs,
            now: this.now(),
          });
          this.onReport({ ok: true });
          if (!ours && this.jobs.delete(jobId)) this.onLost(jobId);
        } catch (error) {
          // Renewing is idempotent: the next round simply tries again, on a fresh connection.
          this.onReport({
            ok: false,
            connection: isConnectionError(error),
            message: error instanceof Error ? error.message : String(error),
          });
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

/** Messages between the grader and its heartbeat thread. */
export type ToThread = { type: "watch" | "unwatch"; jobId: string } | { type: "alive" } | { type: "stop" };
export type FromThread = { type: "ready" } | { type: "lost"; jobId: string } | { type: "report"; report: BeatReport } | { type: "stalled" };

/** Renewals on the grader's own event loop: for an in-memory database, which no thread can share, and simulated clocks. */
class LocalHeartbeats implements Heartbeats {
  readonly ready = Promise.resolve();
  private readonly lost = new Map<string, () => void>();
  private readonly keeper: LeaseKeeper;
  private readonly timer: NodeJS.Timeout;

  constructor(db: Db, settings: LeaseSettings, now: () => number, onReport: (report: BeatReport) => void) {
    this.keeper = new LeaseKeeper(db, settings, now, (jobId) => this.take(jobId)?.(), onReport);
    this.timer = setInterval(() => void this.keeper.round(), settings.heartbeatMs);
  }

  private take(jobId: string) {
    const onLost = this.lost.get(jobId);
    this.lost.delete(jobId);
    return onLost;
  }

  watch(jobId: string, onLost: () => void): void {
    this.lost.set(jobId, onLost);
    this.keeper.watch(jobId);
  }

  unwatch(jobId: string): void {
    this.lost.delete(jobId);
    this.keeper.unwatch(jobId);
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
}

/** The compiled thread starts directly; the TypeScript source through tsx (a thread does not inherit the loader). */
function threadScript(): { script: string; entry?: string } {
  const script = entryScript("heartbeat-thread");
  if (!script.endsWith(".ts")) return { script };
  return { script: fileURLToPath(new URL("./heartbeat-boot.mjs", import.meta.url)), entry: pathToFileURL(script).href };
}

/**
 * Renewals in a worker thread with its own database connection. Grading prepares datasets
 * synchronously on the grader's event loop (an IMDB vocabulary takes tens of seconds on a busy
 * machine), which would hold back a heartbeat running there until the lease expired under a
 * healthy job. The thread renews regardless, but only while the main thread still says it is
 * alive now and then: a main thread hung for longer than a training may last loses its leases,
 * and its jobs go to another grader.
 */
class ThreadHeartbeats implements Heartbeats {
  readonly ready: Promise<void>;
  private onReady: () => void = () => undefined;
  private readonly lost = new Map<string, () => void>();
  private worker: Worker;
  private readonly alive: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly settings: LeaseSettings,
    private readonly onReport: (report: BeatReport) => void,
    private readonly log: (line: string) => void,
  ) {
    // Starting the thread loads the grader's modules and the database driver again: seconds on a busy machine.
    this.ready = new Promise((resolve) => (this.onReady = resolve));
    this.worker = this.start();
    this.alive = setInterval(() => this.post({ type: "alive" }), settings.heartbeatMs);
    this.alive.unref();
  }

  private start(): Worker {
    const { script, entry } = threadScript();
    const worker = new Worker(script, { workerData: { entry, settings: this.settings } });
    worker.unref();
    worker.on("message", (message: FromThread) => {
      if (message.type === "ready") this.onReady();
      else if (message.type === "report") this.onReport(message.report);
      else if (message.type === "stalled")
        this.log(`the main thread did not answer for ${this.settings.stallMs} ms; leases are no longer renewed`);
      else {
        const onLost = this.lost.get(message.jobId);
        this.lost.delete(message.jobId);
        onLost?.();
      }
    });
    worker.on("error", (error) => this.log(`heartbeat thread failed: ${error.message}`));
    worker.on("exit", () => {
      if (this.closing) return;
      // Without renewals every running job would expire: start another thread and hand it the jobs.
      this.log("heartbeat thread exited; starting another");
      this.worker = this.start();
      for (const jobId of this.lost.keys()) this.post({ type: "watch", jobId });
    });
    return worker;
  }

  private post(message: ToThread): void {
    this.worker.postMessage(message);
  }

  watch(jobId: string, onLost: () => void): void {
    this.lost.set(jobId, onLost);
    this.post({ type: "watch", jobId });
  }

  unwatch(jobId: string): void {
    this.lost.delete(jobId);
    this.post({ type: "unwatch", jobId });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.alive);
    if (this.worker.threadId === -1) return; // already gone
    const exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.post({ type: "stop" });
    const timer = setTimeout(() => void this.worker.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Heartbeats in a thread of their own whenever the database can be opened twice (a file or a
 * server); on the grader's event loop for `:memory:` or when the caller injects a clock.
 */
export function startHeartbeats(
  db: Db,
  settings: LeaseSettings,
  deps: { now?: () => number; onReport: (report: BeatReport) => void; log: (line: string) => void },
): Heartbeats {
  const shareable = db.dialect === "postgres" || sqliteFileOf(db) !== null;
  if (!shareable || deps.now) return new LocalHeartbeats(db, settings, deps.now ?? Date.now, deps.onReport);
  return new ThreadHeartbeats(settings, deps.onReport, deps.log);
}
