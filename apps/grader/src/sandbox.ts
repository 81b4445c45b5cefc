import { fork, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { EpochMetrics, TrainingReport } from "@stepwise/core/contracts";
import { ChildMessage, type ExperimentRequest, type TrainRequest, type TuneTrialRequest } from "./protocol";

export type ChildOutcome =
  | { kind: "done"; report: TrainingReport; predictions: number[]; outputStd: number; backend: string; tfjsVersion: string }
  | { kind: "invalid"; message: string }
  | { kind: "error"; message: string }
  | { kind: "timeout"; elapsedMs: number; lastEpoch: number }
  | { kind: "oom"; rssMb: number | null; message: string }
  | { kind: "aborted" };

/** How an experiment child ends: its (still unparsed) result, or the ways any child can fail. */
export type ExperimentChildOutcome =
  | { kind: "experiment"; result: unknown; backend: string; tfjsVersion: string }
  | Exclude<ChildOutcome, { kind: "done" }>;

export interface SandboxOptions {
  /** Where to get the child from; a fresh fork by default. */
  pool?: WarmPool;
  memoryMb: number;
  hardTimeoutMs: number;
  onReady?: (backend: string) => void;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  onEvaluating?: () => void;
  /** Aborting kills the child (job cancelled, lease lost, shutdown). */
  signal?: AbortSignal;
  /** The child's stderr, as it comes (already capped). */
  onStderr?: (text: string) => void;
  /** RSS polling interval, ms. */
  rssEveryMs?: number;
}

const STDERR_CAP = 64 * 1024;
const childScript = fileURLToPath(new URL("./child.ts", import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

function forkChild(memoryMb: number, backend: TrainRequest["backend"]): ChildProcess {
  return fork(childScript, [backend], {
    execArgv: ["--import", tsxLoader, `--max-old-space-size=${memoryMb}`],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    serialization: "advanced",
  });
}

/**
 * Training children started ahead of need: a child spends ~1.5 s loading TypeScript, TF.js and
 * compiling the wasm backend before it can train, so each slot keeps one waiting. A child still
 * trains exactly one job and exits — isolation and memory caps are those of a fresh process.
 */
export class WarmPool {
  private idle: ChildProcess[] = [];
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly memoryMb: number,
    private readonly backend: TrainRequest["backend"],
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    if (this.closed) return;
    const child = forkChild(this.memoryMb, this.backend);
    // Children that die while waiting are dropped; one is replaced when taken.
    child.once("exit", () => { this.idle = this.idle.filter((c) => c !== child); });
    child.on("error", () => undefined);
    this.idle.push(child);
  }

  take(): ChildProcess {
    const child = this.idle.shift();
    if (this.idle.length < this.size) setImmediate(() => this.spawn());
    return child && child.exitCode === null && child.connected ? child : forkChild(this.memoryMb, this.backend);
  }

  close(): void {
    this.closed = true;
    for (const child of this.idle) child.kill("SIGKILL");
    this.idle = [];
  }
}

/** Resident set size of a process in MiB, from /proc (Linux); null where unavailable. */
async function rssMb(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return match?.[1] ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Trains one model in a forked child process. The child is untrusted: it has a V8 heap cap
 * (`--max-old-space-size`) plus an RSS check (wasm memory lives outside the V8 heap), a hard
 * wall-clock ceiling, capped stderr, and every message it sends is parsed. Whatever the child
 * does, this resolves with an outcome and never rejects.
 */
export function runTrainingChild(request: TrainRequest, options: SandboxOptions): Promise<ChildOutcome>;
/** The same sandbox running a debugging experiment (`experiment.ts`) or a tuning trial (`tune.ts`) instead of a grading. */
export function runTrainingChild(request: ExperimentRequest | TuneTrialRequest, options: SandboxOptions): Promise<ExperimentChildOutcome>;
export function runTrainingChild(request: TrainRequest | ExperimentRequest | TuneTrialRequest, options: SandboxOptions): Promise<ChildOutcome | ExperimentChildOutcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    let lastEpoch = 0;
    let settled: ChildOutcome | ExperimentChildOutcome | null = null;
    let stderr = "";
    let peakRss: number | null = null;

    const child = options.pool ? options.pool.take() : forkChild(options.memoryMb, request.backend);

    const finish = (outcome: ChildOutcome | ExperimentChildOutcome) => {
      if (settled) return;
      settled = outcome;
      clearTimeout(hardTimer);
      clearInterval(rssTimer);
      options.signal?.removeEventListener("abort", onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      resolve(outcome);
    };

    const hardTimer = setTimeout(() => finish({ kind: "timeout", elapsedMs: Date.now() - started, lastEpoch }), options.hardTimeoutMs);
    const rssTimer = setInterval(() => {
      if (child.pid === undefined) return;
      void rssMb(child.pid).then((rss) => {
        if (rss === null) return;
        peakRss = Math.max(peakRss ?? 0, rss);
        if (rss > options.memoryMb) {
          finish({ kind: "oom", rssMb: rss, message: `resident memory reached ${Math.round(rss)} MiB (cap ${options.memoryMb} MiB)` });
        }
      });
    }, options.rssEveryMs ?? 250);
    const onAbort = () => finish({ kind: "aborted" });
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort);

    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      if (stderr.length < STDERR_CAP) {
        const kept = chunk.slice(0, STDERR_CAP - stderr.length);
        stderr += kept;
        options.onStderr?.(kept);
      }
    });

    child.on("message", (raw) => {
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
        case "done":
          finish(request.type === "train"
            ? { kind: "done", report: message.report, predictions: message.predictions, outputStd: message.outputStd, ...readyInfo }
            : { kind: "error", message: "the experiment child answered with a training report" });
          break;
        case "experiment-done":
          finish(request.type !== "train"
            ? { kind: "experiment", result: message.result, ...readyInfo }
            : { kind: "error", message: "the training child answered with an experiment result" });
          break;
        case "invalid":
          finish({ kind: "invalid", message: message.message });
          break;
        case "error":
          finish(/out of memory|allocation failed|Array buffer allocation/i.test(message.message)
            ? { kind: "oom", rssMb: peakRss, message: message.message }
            : { kind: "error", message: message.message });
          break;
      }
    });
    let readyInfo = { backend: "unknown", tfjsVersion: "unknown" };

    child.on("error", (error) => finish({ kind: "error", message: `training child failed to start: ${error.message}` }));
    child.on("exit", (code, signal) => {
      if (settled) return;
      if (/heap out of memory|Allocation failed|out of memory/i.test(stderr)) {
        finish({ kind: "oom", rssMb: peakRss, message: "the V8 heap limit was reached" });
      } else {
        const tail = stderr.trim().split("\n").slice(-5).join("\n");
        finish({ kind: "error", message: `training child exited (code ${code ?? "none"}, signal ${signal ?? "none"}) before reporting${tail ? `: ${tail}` : ""}` });
      }
    });

    child.send(request);
  });
}
