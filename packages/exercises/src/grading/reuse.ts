import { createHash } from "node:crypto";
import type { Environment, Verdict } from "@stepwise/core/contracts";
import type { GradingRun } from "./runner";
import type { TrainAndPredictResult } from "./run";

/**
 * Step 7 compares the student's step-6 model against their regularized one, and grading is bitwise
 * reproducible: the step-6 run, graded already, is the "before" run whenever it would train exactly
 * the same way. Each graded run records a fingerprint of what its numbers depend on with its verdict;
 * step 7 reuses that run when the fingerprints match and retrains (saying what differed) otherwise.
 */

/** Bump when training code changes the numbers a run produces: every recorded run is then retrained once. */
export const TRAINING_CODE_VERSION = "2026-12-05";

/** What the caller knows of the machinery a run trains on: the backend asked for, and the code version. */
export interface RunRuntime {
  backend: string;
  codeVersion?: string;
}

export type RunRecord = NonNullable<Environment["run"]>;

/** What differed, in the student's terms, keyed as the fingerprint's parts. */
const PART_TEXT = {
  model: "your model differs",
  training: "the training settings differ (epochs, batch size, optimizer, validation split or protocol)",
  seed: "the training seed differs",
  split: "the data slice or the validation split's seed differs",
  data: "the data differs",
  backend: "the grader's backend differs",
  code: "the grader's training code changed since",
} as const;
type Part = keyof typeof PART_TEXT;

/** JSON with object keys sorted, so the same settings built in a different order hash the same. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : typeof value === "object" && value !== null
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => [k, canonical(v)]),
        )
      : value;
const hash = (value: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex")
    .slice(0, 16);

/** Every part a run's numbers depend on, hashed; the fingerprint is the hash of them all. */
export function runFingerprint(
  run: Pick<GradingRun, "prepared" | "seed" | "dataSeed" | "slice" | "csv" | "scaling">,
  runtime: RunRuntime,
): { fingerprint: string; parts: Record<Part, string> } {
  const parts: Record<Part, string> = {
    model: hash(run.prepared.topology),
    training: hash(run.prepared.training),
    seed: hash(run.seed),
    split: hash({ dataSeed: run.dataSeed, slice: run.slice }),
    // A guided project's step-4 scaling of MNIST's pixels is part of the data the model sees.
    data: hash({
      dataset: run.prepared.dataset,
      task: run.prepared.task,
      csv: run.csv ?? null,
      ...(run.scaling ? { scaling: run.scaling } : {}),
    }),
    backend: hash(runtime.backend),
    code: hash(runtime.codeVersion ?? TRAINING_CODE_VERSION),
  };
  return { fingerprint: hash(parts), parts };
}

/** The record of a finished run to keep with its verdict. */
export function recordRun(run: GradingRun, result: TrainAndPredictResult, runtime: RunRuntime): RunRecord {
  return { ...runFingerprint(run, runtime), history: result.report.history, stopReason: result.report.stopReason };
}

/** A verdict carrying the record of the run its curves come from (when it has an environment to carry it). */
export function withRunRecord(verdict: Verdict, record: RunRecord | undefined): Verdict {
  if (!record || !verdict.environment) return verdict;
  return { ...verdict, environment: { ...verdict.environment, run: record } };
}

export const REUSED = "Before: your step-6 run, reused (same model, settings, seed, split, data, backend and code version).";

/**
 * Step 7's "before" run from the step-6 verdict's record, or why it must be retrained. A reused run's
 * result holds the step-6 epochs exactly as trained; it has no test predictions (the comparison reads
 * only its curves) and costs no time.
 */
export function reuseBefore(
  record: RunRecord | undefined,
  run: GradingRun,
  runtime: RunRuntime | undefined,
  environment: Pick<Environment, "backend" | "tfjsVersion">,
): { result: TrainAndPredictResult; note: string } | { note: string } {
  if (!runtime) return { note: "Before: your step-6 model, retrained (this grader cannot reuse runs)." };
  if (!record) return { note: "Before: your step-6 model, retrained because its graded run was not recorded." };
  if (record.stopReason !== "completed" && record.stopReason !== "early_stopping")
    return { note: "Before: your step-6 model, retrained because its graded run did not finish." };
  const current = runFingerprint(run, runtime);
  if (current.fingerprint !== record.fingerprint) {
    const differing = (Object.keys(PART_TEXT) as Part[])
      .filter((part) => record.parts[part] !== current.parts[part])
      .map((part) => PART_TEXT[part]);
    return { note: `Before: your step-6 model, retrained because ${differing.join("; ") || "its run differs"}.` };
  }
  const stopReason = record.stopReason === "early_stopping" ? "early_stopping" : "completed";
  const report = {
    history: record.history,
    stopReason,
    stoppedEarly: stopReason === "early_stopping",
    durationMs: 0,
    seed: run.seed,
    ...environment,
  } as const;
  return { result: { report, predictions: [], outputStd: 0 }, note: REUSED };
}
