import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { EpochMetrics, TrainingReport } from "@stepwise/core/contracts";
import { entryScript, execArgvFor } from "./entry";
import { JAIL_DATA_DIR, jailFor, processTree, type Jail } from "./jail";
import { cacheFilesFor, stageFiles } from "./jail-data";
import { ChildMessage, type ExperimentRequest, type TrainRequest, type TuneTrialRequest } from "./protocol";

/** What a run cost, measured by the parent from /proc: CPU time of the child's process tree and wall-clock time, ms. */
export interface RunCost {
  cpuMs: number;
  wallMs: number;
}

export type ChildOutcome =
  | ({
      kind: "done";
      report: TrainingReport;
      predictions: number[];
      outputStd: number;
      scores?: number[];
      backend: string;
      tfjsVersion: string;
    } & RunCost)
  | { kind: "invalid"; message: string }
  | { kind: "error"; message: string }
  /** `clock`: which ceiling stopped it — the CPU time the run may use, or the wall-clock hard ceiling. */
  | ({ kind: "timeout"; clock: "cpu" | "wall"; elapsedMs: number; lastEpoch: number } & RunCost)
  | { kind: "oom"; rssMb: number | null; message: string }
  | { kind: "aborted" };

/** How an experiment child ends: its (still unparsed) result, or the ways any child can fail. */
export type ExperimentChildOutcome =
  | ({ kind: "experiment"; result: unknown; backend: string; tfjsVersion: string } & RunCost)
  | Exclude<ChildOutcome, { kind: "done" }>;

export interface SandboxOptions {
  /** Where to get the child from; a fresh fork by default. */
  pool?: WarmPool;
  /** How a child without a pool is started (the pool's own otherwise); the "auto" sandbox by default. */
  jail?: Jail;
  memoryMb: number;
  /** Wall-clock ceiling of the run, ms: catches a child that blocks or sleeps without using CPU. */
  hardTimeoutMs: number;
  /**
   * CPU time the child's process tree may use for this run, ms (unset: no CPU ceiling). CPU time, not
   * wall time, so a grader busy with other work does not turn a valid run into a timeout.
   */
  cpuLimitMs?: number;
  /** The child program; the training child by default (tests substitute stand-ins). */
  script?: string;
  onReady?: (backend: string) => void;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  onEvaluating?: () => void;
  /** Aborting kills the child (job cancelled, lease lost, shutdown). */
  signal?: AbortSignal;
  /** The child's stderr, as it comes (already capped). */
  onStderr?: (text: string) => void;
  /** RSS polling interval, ms. */
  rssEveryMs?: number;
  /**
   * A reused child ran out of memory and the run starts over in a fresh process (see
   * `runTrainingChild`): whatever the callbacks collected so far belongs to the abandoned run.
   */
  onRestart?: () => void;
}

const STDERR_CAP = 64 * 1024;
function forkChild(jail: Jail, memoryMb: number, backend: TrainRequest["backend"], script = entryScript("child")): ChildProcess {
  return jail.spawn(script, [backend], {
    execArgv: [...execArgvFor(script), `--max-old-space-size=${memoryMb}`],
    serialization: "advanced",
  });
}

export interface WarmPoolStats {
  /** Children forked since the pool started (warm or on demand). */
  started: number;
  /** Runs handed a child that had trained before. */
  reuses: number;
}

/**
 * Training children kept warm between jobs. A child spends ~1.5 s of CPU loading TypeScript,
 * TF.js and compiling the wasm backend before it can train; on a busy grader that start-up was a
 * third of every MNIST job and kept two processes from scaling to two cores. So a child trains up
 * to `jobsPerChild` runs, one at a time, and is retired early when it cannot vouch for itself: it
 * failed, timed out, was aborted or ran out of memory, it leaked tensors (the child checks), or its
 * resident memory stayed above half the cap (wasm memory never shrinks, and the RSS cap must keep
 * meaning "this model needs too much", not "the jobs before it did"). The memory caps apply to
 * every run; `runTrainingChild` retries an out-of-memory run of a reused child in a fresh process
 * before it believes it. `jobsPerChild: 1` is a fresh process per run, with one forked ahead.
 */
export class WarmPool {
  private idle: ChildProcess[] = [];
  private closed = false;
  private readonly runs = new WeakMap<ChildProcess, number>();
  readonly stats: WarmPoolStats = { started: 0, reuses: 0 };

  constructor(
    private readonly size: number,
    private readonly memoryMb: number,
    private readonly backend: TrainRequest["backend"],
    private readonly jobsPerChild = 1,
    /** How children are started: the OS sandbox per GRADER_SANDBOX ("auto" by default). */
    readonly jail: Jail = jailFor({ mode: "auto" }),
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private fork(): ChildProcess {
    this.stats.started += 1;
    const child = forkChild(this.jail, this.memoryMb, this.backend);
    // Whether warmed ahead or forked on demand, a pool child may wait idle: one that dies waiting is
    // dropped (take() forks another), and its errors must have a listener even between runs.
    child.once("exit", () => {
      this.idle = this.idle.filter((c) => c !== child);
    });
    child.on("error", () => undefined);
    return child;
  }

  private spawn(): void {
    if (this.closed || this.idle.length >= this.size) return;
    this.idle.push(this.fork());
  }

  /** Runs this child trained before the current one (0 for a fresh child). */
  runsBefore(child: ChildProcess): number {
    return Math.max(0, (this.runs.get(child) ?? 1) - 1);
  }

  take(): ChildProcess {
    let child = this.idle.shift();
    while (child && !(child.exitCode === null && child.connected)) child = this.idle.shift();
    child ??= this.fork();
    const runs = (this.runs.get(child) ?? 0) + 1;
    this.runs.set(child, runs);
    if (runs > 1) this.stats.reuses += 1;
    // A child on its last run will not come back: start its successor now, while it trains.
    if (runs >= this.jobsPerChild) setImmediate(() => this.spawn());
    return child;
  }

  /**
   * Hands a child back after its run. It waits for the next run only if the run ended cleanly
   * (`reusable`), it has runs left and its memory is back under half the cap; otherwise it is
   * killed and, unless its successor already started, replaced.
   */
  release(child: ChildProcess, reusable: boolean): void {
    const alive = child.exitCode === null && child.signalCode === null && child.connected;
    const runs = this.runs.get(child) ?? this.jobsPerChild;
    const rss = alive && child.pid !== undefined ? treeRssMb(child.pid) : null;
    if (!this.closed && alive && reusable && runs < this.jobsPerChild && rss !== null && rss <= this.memoryMb / 2) {
      this.idle.push(child);
      return;
    }
    if (alive) child.kill("SIGKILL");
    // At once, not on the next tick: the worker's next run may take a child before then.
    if (runs < this.jobsPerChild) this.spawn();
  }

  close(): void {
    this.closed = true;
    for (const child of this.idle) child.kill("SIGKILL");
    this.idle = [];
  }
}

/** Resident set size of a process in MiB, from /proc (Linux; a read of a few µs); null where unavailable. */
function rssMb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Kernel clock ticks per second in /proc/<pid>/stat (USER_HZ: 100 on every Linux the grader runs on). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used, ms, from /proc/<pid>/stat; null where unavailable. */
function cpuMs(pid: number): number | null {
  try {
    // Fields after the parenthesised command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
      .replace(/^.*\) /s, "")
      .split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

/** CPU time of a child with its descendants (every thread of each, OpenBLAS's included), ms. */
export function treeCpuMs(pid: number): number | null {
  const times = processTree(pid)
    .map(cpuMs)
    .filter((ms): ms is number => ms !== null);
  return times.length > 0 ? times.reduce((a, b) => a + b, 0) : null;
}

/** RSS of a child with its descendants: a sandboxed child is node under bubblewrap. */
function treeRssMb(pid: number): number | null {
  const sizes = processTree(pid)
    .map(rssMb)
    .filter((mb): mb is number => mb !== null);
  return sizes.length > 0 ? sizes.reduce((a, b) => a + b, 0) : null;
}

/**
 * Trains one model in a forked child process. The child is untrusted: it has a V8 heap cap
 * (`--max-old-space-size`) plus an RSS check (wasm memory lives outside the V8 heap), a hard
 * wall-clock ceiling, capped stderr, and every message it sends is parsed. Whatever the child
 * does, this resolves with an outcome and never rejects. A pooled child that had trained before
 * and runs out of memory is not believed: the run starts over in a fresh process, so a verdict
 * never depends on the jobs a child trained earlier.
 */
export function runTrainingChild(request: TrainRequest, options: SandboxOptions): Promise<ChildOutcome>;
/** The same sandbox running a debugging experiment (`experiment.ts`) or a tuning trial (`tune.ts`) instead of a grading. */
export function runTrainingChild(request: ExperimentRequest | TuneTrialRequest, options: SandboxOptions): Promise<ExperimentChildOutcome>;
export async function runTrainingChild(
  request: TrainRequest | ExperimentRequest | TuneTrialRequest,
  options: SandboxOptions,
): Promise<ChildOutcome | ExperimentChildOutcome> {
  const { pool } = options;
  const jail = pool?.jail ?? options.jail ?? jailFor({ mode: "auto" });
  const child = pool ? pool.take() : forkChild(jail, options.memoryMb, request.backend, options.script);
  const outcome = await runInChild(child, request, options, jail, pool);
  if (outcome.kind !== "oom" || !pool || pool.runsBefore(child) === 0 || options.signal?.aborted) return outcome;
  options.onRestart?.();
  return runInChild(forkChild(jail, options.memoryMb, request.backend, options.script), request, options, jail);
}

/** The progress label of a run that starts over in a fresh process (`SandboxOptions.onRestart`). */
export const RESTART_LABEL = "training again in a fresh process (the reused one ran out of memory)";

/** Outcomes after which the child's state is known good: it answered, and said it kept nothing. */
const CLEAN = new Set(["done", "experiment", "invalid"]);

function runInChild(
  child: ChildProcess,
  request: TrainRequest | ExperimentRequest | TuneTrialRequest,
  options: SandboxOptions,
  jail: Jail,
  pool?: WarmPool,
): Promise<ChildOutcome | ExperimentChildOutcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    // A pooled child used CPU before this run (loading TF.js, earlier runs): only what follows counts.
    const cpuBefore = child.pid === undefined ? 0 : (treeCpuMs(child.pid) ?? 0);
    let cpuUsed = 0;
    const cost = (): RunCost => {
      if (child.pid !== undefined) cpuUsed = Math.max(cpuUsed, (treeCpuMs(child.pid) ?? cpuBefore) - cpuBefore);
      return { cpuMs: cpuUsed, wallMs: Date.now() - started };
    };
    let lastEpoch = 0;
    let settled: ChildOutcome | ExperimentChildOutcome | null = null;
    let stderr = "";
    let peakRss: number | null = null;
    // The child says, just before its final message, whether it freed everything the run allocated.
    let reusable = false;
    let readyInfo = { backend: "unknown", tfjsVersion: "unknown" };

    const finish = (outcome: ChildOutcome | ExperimentChildOutcome) => {
      if (settled) return;
      settled = outcome;
      clearTimeout(hardTimer);
      clearInterval(rssTimer);
      options.signal?.removeEventListener("abort", onAbort);
      child.stderr?.off("data", onStderr);
      child.off("message", onMessage);
      child.off("error", onError);
      child.off("exit", onExit);
      if (pool) pool.release(child, reusable && CLEAN.has(outcome.kind));
      else if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      resolve(outcome);
    };

    const hardTimer = setTimeout(
      () => finish({ kind: "timeout", clock: "wall", elapsedMs: Date.now() - started, lastEpoch, ...cost() }),
      options.hardTimeoutMs,
    );
    const rssTimer = setInterval(() => {
      if (child.pid === undefined) return;
      const spent = cost();
      if (options.cpuLimitMs !== undefined && spent.cpuMs > options.cpuLimitMs) {
        finish({ kind: "timeout", clock: "cpu", elapsedMs: spent.wallMs, lastEpoch, ...spent });
        return;
      }
      const rss = treeRssMb(child.pid);
      if (rss === null) return;
      peakRss = Math.max(peakRss ?? 0, rss);
      if (rss > options.memoryMb) {
        finish({ kind: "oom", rssMb: rss, message: `resident memory reached ${Math.round(rss)} MiB (cap ${options.memoryMb} MiB)` });
      }
    }, options.rssEveryMs ?? 250);
    const onAbort = () => finish({ kind: "aborted" });

    const onStderr = (chunk: string) => {
      if (stderr.length < STDERR_CAP) {
        const kept = chunk.slice(0, STDERR_CAP - stderr.length);
        stderr += kept;
        options.onStderr?.(kept);
      }
    };

    const onMessage = (raw: unknown) => {
      const parsed = ChildMessage.safeParse(raw);
      if (!parsed.success) {
        finish({ kind: "error", message: `training child sent a malformed message: ${parsed.error.issues[0]?.message ?? "?"}` });
        return;
      }
      const message = parsed.data;
      switch (message.type) {
        case "ready":
          readyInfo = { backend: message.backend, tfjsVersion: message.tfjsVersion };
          options.onReady?.(message.backend);
          break;
        case "epoch":
          lastEpoch = message.metrics.epoch;
          options.onEpoch?.(message.metrics, message.epochs);
          break;
        case "evaluating":
          options.onEvaluating?.();
          break;
        case "clean":
          reusable = message.reusable;
          break;
        case "done":
          finish(
            request.type === "train"
              ? {
                  kind: "done",
                  report: message.report,
                  predictions: message.predictions,
                  outputStd: message.outputStd,
                  ...(message.scores ? { scores: message.scores } : {}),
                  ...readyInfo,
                  ...cost(),
                }
              : { kind: "error", message: "the experiment child answered with a training report" },
          );
          break;
        case "experiment-done":
          finish(
            request.type !== "train"
              ? { kind: "experiment", result: message.result, ...readyInfo, ...cost() }
              : { kind: "error", message: "the training child answered with an experiment result" },
          );
          break;
        case "invalid":
          finish({ kind: "invalid", message: message.message });
          break;
        case "error":
          finish(
            /out of memory|allocation failed|Array buffer allocation/i.test(message.message)
              ? { kind: "oom", rssMb: peakRss, message: message.message }
              : { kind: "error", message: message.message },
          );
          break;
      }
    };

    const onError = (error: Error) => finish({ kind: "error", message: `training child failed to start: ${error.message}` });
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      if (/heap out of memory|Allocation failed|out of memory/i.test(stderr)) {
        finish({ kind: "oom", rssMb: peakRss, message: "the V8 heap limit was reached" });
      } else {
        const tail = stderr.trim().split("\n").slice(-5).join("\n");
        finish({
          kind: "error",
          message: `training child exited (code ${code ?? "none"}, signal ${signal ?? "none"}) before reporting${tail ? `: ${tail}` : ""}`,
        });
      }
    };

    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", onStderr);
    child.on("message", onMessage);
    child.on("error", onError);
    child.on("exit", onExit);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort);
    if (settled) return;
    let sent: typeof request;
    try {
      sent = inJail(jail, child, request);
    } catch (error) {
      finish({ kind: "error", message: error instanceof Error ? error.message : String(error) });
      return;
    }
    child.send(sent);
  });
}

/**
 * The request as a sandboxed child must see it: the cache files of this run staged into the child's
 * own data directory, and `cacheDir` pointing there. Unchanged outside the sandbox.
 */
function inJail<R extends TrainRequest | ExperimentRequest | TuneTrialRequest>(jail: Jail, child: ChildProcess, request: R): R {
  const dir = jail.dataDirOf(child);
  if (dir === undefined) return request;
  stageFiles(dir, cacheFilesFor(request.dataset, request.cacheDir));
  return { ...request, cacheDir: JAIL_DATA_DIR };
}
