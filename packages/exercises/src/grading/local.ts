import type { DataSlice, EpochMetrics, ExerciseDefinition, ProjectDecisions, SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import type { JsonObject } from "@stepwise/core/model";
import { CSV_SPLIT_SEED } from "@stepwise/core/datasets";
import { csvText } from "../answers/facts";
import type { Technique } from "../course/schema";
import { gradeSubmission, type GradingRunner } from "./grade";
import type { RunRecord } from "./reuse";
import { trainAndPredict } from "./run";

export interface LocalGradeOptions {
  /** Step 7: the student's step-6 submission, retrained for the comparison. */
  previous?: SubmissionPayload;
  /** Step 7: the record of the step-6 run (its verdict's `environment.run`), reused when nothing differs. */
  previousRun?: RunRecord;
  tf: Tf;
  backend: string;
  tfjsVersion: string;
  slice?: DataSlice;
  cacheDir?: string;
  /** Where a relative CSV `file` is read from (a course folder); default the built-in data directory. */
  dataDir?: string;
  /** A CSV dataset's text, when it is not read from a file. */
  csvText?: string;
  /** That dataset's stored split seed (default the built-in tables'). */
  csvSplitSeed?: number;
  /** Training seeds each model is retrained with (the assignment's `seeds`, 1–10); default 1. Step 7 keeps one. */
  seeds?: number;
  /** Step-7 techniques the assignment allows (`toolboxPolicy(overrides).allowed`); all when absent. */
  toolbox?: readonly Technique[];
  /** Epochs of the first seed's run only (its curves are the verdict's). */
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  signal?: AbortSignal;
  /** A guided project's step-2/3/4 decisions (`decisionsOf`): metric, protocol, preparation. */
  decisions?: ProjectDecisions;
}

/**
 * Grades in this process exactly as the grader service does, minus the sandbox: `gradeSubmission`
 * with an in-process runner, for the CLI and tests, where the code being graded is trusted.
 */
export function gradeLocally(exercise: ExerciseDefinition, payload: SubmissionPayload, options: LocalGradeOptions): Promise<Verdict> {
  const { dataset } = exercise;
  return gradeSubmission({
    exercise,
    payload,
    slice: { ...exercise.data, ...options.slice },
    cacheDir: options.cacheDir,
    ...(dataset.kind === "csv"
      ? { readCsv: () => ({ text: csvText(dataset, options), splitSeed: options.csvSplitSeed ?? CSV_SPLIT_SEED }) }
      : {}),
    ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
    ...(options.toolbox ? { toolbox: options.toolbox } : {}),
    ...(options.previous ? { previous: options.previous } : {}),
    ...(options.decisions ? { decisions: options.decisions } : {}),
    ...(options.previousRun ? { previousRun: options.previousRun } : {}),
    runtime: { backend: options.backend },
    run: inProcessRunner(options),
  });
}

/** A `GradingRunner` that trains in this process (trusted code only: the CLI and tests). */
export function inProcessRunner(
  options: Pick<LocalGradeOptions, "tf" | "backend" | "tfjsVersion" | "cacheDir" | "onEpoch" | "signal">,
): GradingRunner {
  return (run) =>
    trainAndPredict(options.tf, {
      topology: run.prepared.topology as JsonObject,
      training: run.prepared.training,
      dataset: run.prepared.dataset,
      slice: run.slice,
      task: run.prepared.task,
      seed: run.seed,
      dataSeed: run.dataSeed,
      maxSeconds: run.maxSeconds,
      cacheDir: options.cacheDir,
      ...(run.csv ? { csv: run.csv } : {}),
      ...(run.scaling ? { scaling: run.scaling } : {}),
      backend: options.backend,
      tfjsVersion: options.tfjsVersion,
      onEpoch: run.streams ? options.onEpoch : undefined,
      signal: options.signal,
    });
}
