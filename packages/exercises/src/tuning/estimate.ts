import type { ExerciseDefinition, ModelSummary, SubmissionPayload } from "@stepwise/core/contracts";
import {
  epochSeconds as measuredEpochSeconds,
  WARM_TRAINING_OVERHEAD_SECONDS,
  type EpochWork,
  type TrainingThroughput,
} from "@stepwise/core/model";
import type { PrepareOptions } from "../grading/prepare";
import { prepareTrials } from "./apply";
import { halvingSchedule, type Rung } from "./halving";
import { checkTuning } from "./run";
import type { TuningSearch } from "./search";

/** Examples of the training split and of the test inputs, as far as known without reading the data. */
function rowsOf(exercise: ExerciseDefinition, prepare: PrepareOptions): { train: number; test: number } {
  const kind = exercise.dataset.kind;
  const train = kind === "mnist" ? 60_000 : kind === "imdb" ? 25_000 : (prepare.csv?.trainSize ?? exercise.data.trainLimit ?? 0);
  const test = kind === "mnist" ? 10_000 : kind === "imdb" ? 25_000 : Math.round(train / 4);
  const limit = (full: number, cap: number | undefined) => (cap !== undefined ? Math.min(full, cap) : full);
  return { train: limit(train, exercise.data.trainLimit), test: limit(test, exercise.data.testLimit) };
}

/** A warm child's fixed cost per training, which the speed correction is learnt with (core's constant, re-exported where the estimate's callers look). */
export { WARM_TRAINING_OVERHEAD_SECONDS };

export interface TuningEstimateOptions {
  /** Effective grader throughput of one slot, 10⁹ multiply-adds per second (the graders' published calibration). */
  gflops: number;
  /**
   * The slot's measured step cost and throughput on products (the graders' published calibration, when
   * they measure it): costs each epoch by its steps and its multiply-adds. Without it, multiply-adds
   * over `gflops` alone.
   */
  training?: TrainingThroughput;
  /**
   * Measured over charged seconds of the grader's recent trainings (the graders' published
   * calibration, `SpeedCorrection`, learnt on whole trainings with `WARM_TRAINING_OVERHEAD_SECONDS`
   * as their fixed cost): multiplies the whole search. Without it (or without `training`, which it
   * corrects), the search costs what the calibration says.
   */
  correction?: number | undefined;
  /** Trials one search may run on the assignment (`toolboxPolicy(overrides).tuningTrials`). */
  maxTrials: number;
  /** Fixed cost of each training child (start, data, model build), seconds. */
  overheadSeconds: number;
  prepare?: PrepareOptions;
}

export interface TuningEstimate {
  /** Grader seconds the whole search is expected to take: what the budget is charged until it is measured. */
  seconds: number;
  /** Trainings in all: one per trial per rung, and the final model. */
  trainings: number;
  /** The rungs the search will run (one rung without successive halving). */
  schedule: Rung[];
}

/**
 * Seconds of one epoch: forward and backward over the training examples, a forward pass over the
 * validation examples (every epoch is validated). From the measured step cost and throughput when
 * the graders published them, else from multiply-adds over the matmul-derived figure.
 */
const epochSeconds = (summary: ModelSummary, work: EpochWork, options: TuningEstimateOptions) =>
  options.training
    ? measuredEpochSeconds(summary.trainingFlopsPerExample, work, options.training)
    : (summary.trainingFlopsPerExample * (work.train + work.evaluate / 3)) / (Math.max(options.gflops, 1e-3) * 1e9);

/**
 * What a search will cost before it runs, following the schedule it will run: in the first rung
 * every trial that will train (skipped ones cost nothing) for the rung's epochs; in later rungs the
 * continued trials — which ones is unknown until the first rung ends, so each is costed as the mean
 * trial — each retrained from its seed for the rung's epochs; then the final model on
 * train+validation for the model's epochs (its best epoch is at most that) with one prediction of the
 * test inputs. Each training pays the fixed cost of a child; the grader's correction scales the
 * whole. Throws `ValidationError` for a search the grader would refuse (`checkTuning`).
 */
export function estimateTuning(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  search: TuningSearch,
  options: TuningEstimateOptions,
): TuningEstimate {
  const values = checkTuning(exercise, payload, search, options.maxTrials);
  const prepare = options.prepare ?? {};
  const rows = rowsOf(exercise, prepare);
  const trainable = prepareTrials(exercise, payload, values, prepare).flatMap((t) => ("prepared" in t ? [t.prepared] : []));
  const first = trainable[0];
  if (!first) return { seconds: 0, trainings: 0, schedule: [] };
  const epochs = first.training.fit.epochs;
  const schedule = halvingSchedule(trainable.length, epochs, search.halving);
  const split = first.training.fit.validationSplit;
  const selection = { train: Math.round(rows.train * (1 - split)), evaluate: Math.round(rows.train * split) };
  const batchOf = (p: (typeof trainable)[number]) => p.training.fit.batchSize;
  const perEpoch = trainable.map((p) => epochSeconds(p.summary, { ...selection, batchSize: batchOf(p) }, options));
  const mean = perEpoch.reduce((a, b) => a + b, 0) / perEpoch.length;
  const overhead = options.overheadSeconds;

  let seconds = 0;
  let trainings = 0;
  for (const [i, rung] of schedule.entries()) {
    const cost = i === 0 ? perEpoch.reduce((a, b) => a + b, 0) : rung.trials * mean;
    seconds += rung.trials * overhead + cost * rung.epochs;
    trainings += rung.trials;
  }
  const finalEpoch =
    trainable.reduce((sum, p) => sum + epochSeconds(p.summary, { train: rows.train, evaluate: 0, batchSize: batchOf(p) }, options), 0) /
    trainable.length;
  const predict =
    trainable.reduce((sum, p) => sum + epochSeconds(p.summary, { train: 0, evaluate: rows.test, batchSize: batchOf(p) }, options), 0) /
    trainable.length;
  seconds += overhead + finalEpoch * epochs + predict;
  // The correction was learnt on whole trainings costed this way, fixed cost included: it scales all of it.
  const correction = options.training ? (options.correction ?? 1) : 1;
  return { seconds: seconds * correction, trainings: trainings + 1, schedule };
}

/** Grader seconds a search is charged before it runs (`estimateTuning`'s total). */
export function estimateTuningSeconds(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  search: TuningSearch,
  options: TuningEstimateOptions,
): number {
  return estimateTuning(exercise, payload, search, options).seconds;
}

/** The random search over a grid's lists: the same values, `trials` seeded draws. */
const asRandom = (search: TuningSearch, trials: number): TuningSearch => ({ ...search, strategy: "random", trials });

/**
 * A search that fits `leftSeconds` when the declared one does not: first the same trials with
 * successive halving (factor 3, then 2 — whichever is cheaper comes first), then fewer trials drawn
 * from the same space with halving, the most trials that fit. Null when not even two trials fit.
 * Never a search the grader would refuse.
 */
export function proposeSearch(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  search: TuningSearch,
  options: TuningEstimateOptions & { leftSeconds: number },
): { search: TuningSearch; estimate: TuningEstimate } | null {
  const cost = (candidate: TuningSearch) => estimateTuning(exercise, payload, candidate, options);
  const fits = (candidate: TuningSearch) => {
    const estimate = cost(candidate);
    return estimate.seconds <= options.leftSeconds ? { search: candidate, estimate } : null;
  };
  const declared = cost(search);
  if (declared.seconds <= options.leftSeconds) return null;
  const halved = ([3, 2] as const)
    .filter((factor) => search.halving?.factor !== factor)
    .map((factor) => ({ ...search, halving: { factor } }))
    .map((candidate) => fits(candidate))
    .filter((found) => found !== null)
    .sort((a, b) => a.estimate.seconds - b.estimate.seconds);
  if (halved[0]) return halved[0];
  const halving = search.halving ?? { factor: 3 };
  for (let trials = (declared.schedule[0]?.trials ?? search.trials) - 1; trials >= 2; trials--) {
    const found = fits(asRandom({ ...search, halving }, trials));
    if (found) return found;
  }
  return null;
}
