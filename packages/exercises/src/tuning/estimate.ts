import type { ExerciseDefinition, SubmissionPayload } from "@stepwise/core/contracts";
import { estimateTrainingSeconds } from "@stepwise/core/model";
import type { PrepareOptions } from "../grading/prepare";
import { prepareTrials } from "./apply";
import { checkTuning } from "./run";
import type { TuningSearch } from "./search";

/** Rows of the training split a trial draws on, as far as known without reading the data. */
function trainingRows(exercise: ExerciseDefinition, prepare: PrepareOptions): number {
  const full = exercise.dataset.kind === "mnist" ? 60_000 : exercise.dataset.kind === "imdb" ? 25_000 : (prepare.csv?.trainSize ?? exercise.data.trainLimit ?? 0);
  return exercise.data.trainLimit !== undefined ? Math.min(full, exercise.data.trainLimit) : full;
}

export interface TuningEstimateOptions {
  /** Effective grader throughput, 10⁹ multiply-adds per second. */
  gflops: number;
  /** Trials one search may run on the assignment (`toolboxPolicy(overrides).tuningTrials`). */
  maxTrials: number;
  /** Fixed cost of each training child (start, data, model build), seconds. */
  overheadSeconds: number;
  prepare?: PrepareOptions;
}

/**
 * Grader seconds a search is charged before it runs: every trial that will train (on the training
 * split minus validation, for its epochs) plus the final training on train+validation (at most the
 * student's epochs), each with the fixed cost of a child. Skipped trials cost nothing. The measured
 * time replaces the estimate once the run is done. Throws `ValidationError` for a search that would
 * be refused (`checkTuning`), as the grader would refuse it.
 */
export function estimateTuningSeconds(exercise: ExerciseDefinition, payload: SubmissionPayload, search: TuningSearch, options: TuningEstimateOptions): number {
  const values = checkTuning(exercise, payload, search, options.maxTrials);
  const prepare = options.prepare ?? {};
  const rows = trainingRows(exercise, prepare);
  let seconds = 0;
  let largest = 0;
  for (const trial of prepareTrials(exercise, payload, values, prepare)) {
    if (!("prepared" in trial)) continue;
    const { summary, training } = trial.prepared;
    const examples = Math.round(rows * (1 - training.fit.validationSplit));
    seconds += options.overheadSeconds + estimateTrainingSeconds(summary, { examples, epochs: training.fit.epochs, gflops: options.gflops });
    largest = Math.max(largest, estimateTrainingSeconds(summary, { examples: rows, epochs: training.fit.epochs, gflops: options.gflops }));
  }
  // Which trial wins is unknown until it runs: the final training is charged as the costliest one's.
  return seconds + (largest > 0 ? options.overheadSeconds + largest : 0);
}
