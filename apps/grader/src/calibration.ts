import { availableParallelism, hostname } from "node:os";
import { SpeedCorrection, type PublishedCorrection, type TimedTraining, type TrainingThroughput } from "@stepwise/core/model";
import { publishCalibration, withdrawCalibration, type Db } from "@stepwise/db";
import { z } from "zod";
import type { GraderConfig } from "./config";
import { entryScript, execArgvFor } from "./entry";
import { jailFor, type Jail } from "./jail";

/**
 * The grader measures its training speed at start and publishes it (issue 3), so the web app checks a
 * model's estimated training time against what the graders reach rather than a configured guess.
 */

/**
 * Share of `calibrate`'s plain matmul throughput that a training step reaches: optimizer updates,
 * batch assembly and small kernels cost the rest. Measured on the 2-core dev VM (wasm, tfjs 4.22):
 * `calibrate` 11.5–13.5 G multiply-adds/s, the harness training MNIST 784-512-10 at 8,531 examples/s
 * × 1.22 M multiply-adds = 10.4 G/s (one epoch of `train` on 60,000 examples). Rounded down: an estimate that errs makes
 * the student trim a model, one that errs the other way times out a grading.
 */
export const TRAINING_EFFICIENCY = 0.75;

/** Matmul timing inside the child, ms: long enough to steady the figure, short enough for a quick start. */
const CALIBRATE_MS = 300;

const ChildReport = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("calibrated"),
    backend: z.string().min(1).max(40),
    tfjsVersion: z.string().max(40),
    matmulGflops: z.number().finite().positive().describe("10⁹ multiply-adds per second of a 128×784 by 784×512 product"),
    training: z
      .object({
        gflops: z.number().finite().positive().describe("10⁹ multiply-adds per second of a training step's products"),
        stepSeconds: z.number().finite().nonnegative().describe("Fixed seconds of every training step"),
      })
      .describe("What training the two reference models measured (`measureTrainingThroughput`)"),
  }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);

export interface MeasuredSpeed {
  backend: string;
  /** Plain matmul throughput, 10⁹ multiply-adds/s. */
  matmulGflops: number;
  /** What one grader slot reaches training, 10⁹ multiply-adds/s: the published figure. */
  gflops: number;
  /** One slot's measured step cost and throughput on products: what the tuning estimate costs trainings with. */
  training: TrainingThroughput;
}

/**
 * One slot's training throughput from the matmul figure. Slots beyond the machine's cores share them
 * (each child trains on one thread with wasm), so each gets its share.
 */
export function slotGflops(matmulGflops: number, concurrency: number, cores = availableParallelism()): number {
  return matmulGflops * TRAINING_EFFICIENCY * Math.min(1, cores / Math.max(1, concurrency));
}

/** One slot's share of the measured training speed: slots beyond the cores make every step slower alike. */
export function slotTraining(measured: TrainingThroughput, concurrency: number, cores = availableParallelism()): TrainingThroughput {
  const share = Math.min(1, cores / Math.max(1, concurrency));
  return { gflops: measured.gflops * share, stepSeconds: measured.stepSeconds / share };
}

/**
 * Times the grader's backend in a short-lived child (~3–4 s: loading TF.js, then training the reference models). Rejects with
 * a message saying what went wrong: the backend did not load, the child died, or it took too long.
 */
export function measureGraderSpeed(
  config: Pick<GraderConfig, "backend" | "concurrency">,
  options: { timeoutMs?: number; jail?: Jail } = {},
): Promise<MeasuredSpeed> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const jail = options.jail ?? jailFor({ mode: "auto" });
  return new Promise((resolve, reject) => {
    // In the training children's sandbox: the figure is that of the backend as jobs train on it.
    const childScript = entryScript("calibrate-child");
    const child = jail.spawn(childScript, [config.backend, String(CALIBRATE_MS)], { execArgv: execArgvFor(childScript) });
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    let settled = false;
    const settle = (outcome: { speed: MeasuredSpeed } | { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      if ("speed" in outcome) resolve(outcome.speed);
      else reject(new Error(`Calibration failed: ${outcome.error}`));
    };
    const timer = setTimeout(() => settle({ error: `the calibration child did not report within ${timeoutMs} ms` }), timeoutMs);
    child.on("message", (raw) => {
      const parsed = ChildReport.safeParse(raw);
      if (!parsed.success)
        return settle({ error: `the calibration child sent a malformed report: ${parsed.error.issues[0]?.message ?? "?"}` });
      const report = parsed.data;
      if (report.type === "error") return settle({ error: report.message });
      settle({
        speed: {
          backend: report.backend,
          matmulGflops: report.matmulGflops,
          gflops: slotGflops(report.matmulGflops, config.concurrency),
          training: slotTraining(report.training, config.concurrency),
        },
      });
    });
    child.on("error", (error) => settle({ error: `the calibration child failed to start: ${error.message}` }));
    child.on("exit", (code, signal) => {
      const tail = stderr.trim().split("\n").slice(-3).join("\n");
      settle({
        error: `the calibration child exited (code ${code ?? "none"}, signal ${signal ?? "none"}) before reporting${tail ? `: ${tail}` : ""}`,
      });
    });
  });
}

export interface Calibrator {
  /** The latest measurement published, or null before the first succeeds. */
  readonly last: MeasuredSpeed | null;
  /**
   * Measured over charged seconds of this grader's recent trainings (`trainingSeconds`, whole trainings,
   * a median over jobs), over all of them and per dataset (published with the measurement); `all` null
   * and no dataset before any.
   */
  readonly correction: PublishedCorrection;
  /**
   * Counts a completed training against the measurement in force (ignored before the first) under the
   * dataset it trained on, and publishes the corrections it gives with that measurement. Never throws: a failed publication is
   * logged, and the next training or measurement publishes again.
   */
  observe(run: TimedTraining): Promise<void>;
  /** Stops re-measuring, waits for a measurement in flight and withdraws this grader's figure. */
  stop(): Promise<void>;
}

export interface CalibrationDeps {
  db: Db;
  now?: () => number;
  log?: (line: string) => void;
  host?: string;
  /** Limit on one measurement, ms (default 30 s). */
  timeoutMs?: number;
  /** How the calibration child is started (the training children's jail); the "auto" sandbox by default. */
  jail?: Jail;
  /** Takes one measurement; the calibration child (`measureGraderSpeed`) by default. Tests give a fixed figure. */
  measure?: () => Promise<MeasuredSpeed>;
  /** The running correction real trainings feed (`observe`); a fresh one of the last `CORRECTION_JOBS` jobs by default. */
  correction?: SpeedCorrection;
}

/**
 * Measures now and publishes, then again every `calibrateEveryMs` (0: only now) so the figure never
 * ages out while the grader runs. A failed measurement is logged, never thrown: the grader grades
 * without it, and the web app falls back to its configured figure. A measurement taken while jobs
 * train comes out lower, which errs on the safe side until the next one.
 */
export async function startCalibration(
  config: Pick<GraderConfig, "backend" | "concurrency" | "workerId" | "calibrateEveryMs">,
  deps: CalibrationDeps,
): Promise<Calibrator> {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? ((line: string) => console.log(`[grader ${config.workerId}] ${line}`));
  const host = deps.host ?? hostname();
  const measure =
    deps.measure ??
    (() =>
      measureGraderSpeed(config, {
        ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
        ...(deps.jail ? { jail: deps.jail } : {}),
      }));
  const correction = deps.correction ?? new SpeedCorrection();
  let last: { speed: MeasuredSpeed; measuredAt: number } | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let publishing: Promise<void> = Promise.resolve();

  // The measurement and the correction go out together: one row per grader, replaced each time.
  const publish = (speed: MeasuredSpeed, measuredAt: number) => {
    const { all, byDataset } = correction.published;
    return publishCalibration(db, {
      workerId: config.workerId,
      host,
      backend: speed.backend,
      gflops: speed.gflops,
      training: speed.training,
      ...(all !== null ? { correction: all } : {}),
      ...(Object.keys(byDataset).length > 0 ? { corrections: byDataset } : {}),
      measuredAt,
    });
  };

  const round = async (): Promise<void> => {
    try {
      const speed = await measure();
      if (stopped) return;
      const measuredAt = now();
      await publish(speed, measuredAt);
      last = { speed, measuredAt };
      log(
        `calibrated: ${speed.backend}, ${speed.gflops.toFixed(1)} GFLOPS effective per slot (matmul ${speed.matmulGflops.toFixed(1)}; ` +
          `training ${speed.training.gflops.toFixed(1)} GFLOPS on products + ${(speed.training.stepSeconds * 1000).toFixed(2)} ms per step)`,
      );
    } catch (error) {
      log(`${error instanceof Error ? error.message : String(error)}; the web app estimates training time with its configured figure`);
    }
  };
  let inFlight = round();
  await inFlight;
  const schedule = () => {
    if (stopped || config.calibrateEveryMs === 0) return;
    timer = setTimeout(() => {
      inFlight = round().then(schedule);
    }, config.calibrateEveryMs);
  };
  schedule();

  return {
    get last() {
      return last?.speed ?? null;
    },
    get correction() {
      return correction.published;
    },
    async observe(run: TimedTraining) {
      // The ratio is against the slot's figure in force when the training ran, what the web estimated it with.
      if (!last || stopped) return;
      const ratio = correction.observe(run, last.speed.training);
      if (ratio === null) return;
      const { speed, measuredAt } = last;
      // One publication after another, and `stop` waits for them: none lands after the withdrawal.
      publishing = publishing.then(async () => {
        if (stopped) return;
        await publish(speed, measuredAt).catch((error: unknown) => {
          log(`could not publish the speed correction: ${error instanceof Error ? error.message : String(error)}`);
        });
      });
      await publishing;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      await publishing;
      await withdrawCalibration(db, config.workerId);
    },
  };
}
