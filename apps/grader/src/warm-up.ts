/**
 * What a fresh grader does before its first claim, so that its first job costs what later ones do.
 * Measured on a fresh grader (bench/first-job.ts), the first MNIST step-5 job paid three things the
 * next ones did not: its child was still loading TF.js and compiling wasm when the job was claimed;
 * the parent summarized the training data for the checklist (memoized per slice afterwards); and the
 * child's first full-size epoch grew the wasm heap and ran the training code cold. So the MNIST cache
 * is built, the test labels read and the summary computed here, and every warm child trains the
 * reference model for one epoch on the slice real jobs use.
 */
import { findExercise } from "@stepwise/exercises";
import { loadGradingData, prepareTraining, trainingDataSummary } from "@stepwise/exercises/grading";
import { solutions } from "@stepwise/exercises/solutions";
import type { GraderConfig } from "./config";
import { runTrainingChild, type WarmPool } from "./sandbox";

/** The exercise the warm-up trains: step 5 on MNIST, the job graders see most. */
const WARM_EXERCISE = "mnist-beat-baseline";

export interface WarmUpResult {
  /** Children that finished their warm-up run. */
  children: number;
  /** Wall-clock time of the whole warm-up, ms. */
  ms: number;
}

/**
 * Builds the MNIST cache and runs one tiny training in each of the pool's `slots` children at once
 * (each run takes its own child). Never throws: a warm-up that fails leaves the first job to pay the
 * cost, which is slower, not wrong; the reason is logged.
 */
export async function warmUp(
  config: Pick<GraderConfig, "cacheDir" | "backend" | "memoryMb" | "hardTimeoutMs" | "trainLimit" | "testLimit">,
  pool: WarmPool,
  slots: number,
  deps: { signal: AbortSignal; log: (line: string) => void; now?: () => number },
): Promise<WarmUpResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const exercise = findExercise(WARM_EXERCISE);
  const payload = solutions[WARM_EXERCISE]?.reference;
  if (!exercise || !payload?.training) {
    deps.log(`warm-up skipped: the ${WARM_EXERCISE} exercise or its reference solution is missing`);
    return { children: 0, ms: now() - started };
  }
  // The slice real jobs of this grader train on (`resolveJob`), so every memo and heap size matches.
  const slice = { trainLimit: config.trainLimit ?? exercise.data.trainLimit, testLimit: config.testLimit ?? exercise.data.testLimit };
  try {
    loadGradingData(exercise.dataset, { slice, seed: exercise.seed, cacheDir: config.cacheDir });
    const oneEpoch = { ...payload, training: { ...payload.training, fit: { ...payload.training.fit, epochs: 1 } } };
    const prepared = prepareTraining(exercise, oneEpoch, exercise.seed);
    trainingDataSummary(prepared, { slice, seed: exercise.seed, cacheDir: config.cacheDir });
    const runs = Array.from({ length: slots }, () =>
      runTrainingChild(
        {
          type: "train",
          jobId: "warm-up",
          topology: prepared.topology,
          training: prepared.training,
          dataset: prepared.dataset,
          data: slice,
          seed: exercise.seed,
          dataSeed: exercise.seed,
          maxSeconds: exercise.budgets.maxSeconds,
          task: prepared.task,
          backend: config.backend,
          cacheDir: config.cacheDir,
        },
        { pool, memoryMb: config.memoryMb, hardTimeoutMs: config.hardTimeoutMs, signal: deps.signal },
      ),
    );
    const outcomes = await Promise.all(runs);
    const failed = outcomes.filter((o) => o.kind !== "done");
    for (const outcome of failed) deps.log(`warm-up run ended ${outcome.kind}${"message" in outcome ? `: ${outcome.message}` : ""}`);
    return { children: outcomes.length - failed.length, ms: now() - started };
  } catch (error) {
    deps.log(`warm-up failed (${error instanceof Error ? error.message : String(error)}); the first job pays the start-up cost`);
    return { children: 0, ms: now() - started };
  }
}
