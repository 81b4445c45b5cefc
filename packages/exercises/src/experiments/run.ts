import type { ExerciseDefinition, SubmissionPayload, EpochMetrics } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import type { BatchLoss } from "@stepwise/core/training";
import { csvText } from "../answers/facts";
import { gradingFacts, loadGradingData, loadTrainingData } from "../grading/data";
import { prepareTraining, type PreparedTraining } from "../grading/prepare";
import { dataShuffledCheck } from "./checks/data-shuffled";
import type { Finding } from "./checks/finding";
import { labelAsInputCheck } from "./checks/label-as-input";
import { labelScaleCheck } from "./checks/label-scale";
import { learningCurveCheck, learningCurveWork } from "./checks/learning-curve";
import { lossPerBatchCheck } from "./checks/loss-per-batch";
import { lrRangeTestCheck, SWEEP } from "./checks/lr-range-test";
import { oneFeatureCheck } from "./checks/one-feature";
import { outputHistogramCheck } from "./checks/output-histogram";
import { shuffledLabelsCheck } from "./checks/shuffled-labels";
import { tinySubsetCheck } from "./checks/tiny-subset";
import type { ExperimentContext } from "./context";
import type { ExperimentName } from "./names";
import type { ExperimentResult } from "./result";

const CHECKS: Record<ExperimentName, (ctx: ExperimentContext) => Finding | Promise<Finding>> = {
  "tiny-subset": tinySubsetCheck,
  "shuffled-labels": shuffledLabelsCheck,
  "label-as-input": labelAsInputCheck,
  "one-feature": oneFeatureCheck,
  "data-shuffled": dataShuffledCheck,
  "output-histogram": outputHistogramCheck,
  "loss-per-batch": lossPerBatchCheck,
  "lr-range-test": lrRangeTestCheck,
  "label-scale": labelScaleCheck,
  "learning-curve": learningCurveCheck,
};

/** Default size of the training slice an experiment runs on: experiments are quick checks. */
export const DEFAULT_TRAIN_LIMIT = 2_000;

/**
 * The two step-by-step experiments want fresh examples at every step: on a small slice the model
 * memorizes it within a few dozen steps and the loss keeps falling whatever the learning rate. They
 * get enough examples for about one pass (the loss curve 100 batches, the sweep all its steps).
 */
export function defaultTrainLimit(
  name: ExperimentName,
  prepared: Pick<PreparedTraining, "training"> & Partial<Pick<PreparedTraining, "summary">>,
  sweepSteps: number = SWEEP.steps,
): number {
  if (name === "learning-curve") return learningCurveLimit(prepared);
  const { batchSize, validationSplit } = prepared.training.fit;
  const steps = name === "lr-range-test" ? sweepSteps : name === "loss-per-batch" ? 100 : 0;
  return Math.max(DEFAULT_TRAIN_LIMIT, Math.ceil((steps * batchSize) / (1 - validationSplit)));
}

/**
 * Multiply-adds one learning-curve run may cost by default: about 60 s at the grader throughput the
 * web app assumes when it has no measurement (8 GFLOPS), a tenth of the default compute budget.
 */
export const LEARNING_CURVE_WORK = 5e11;
const LEARNING_CURVE_MAX_EXAMPLES = 8_000;

/**
 * The learning curve trains four models with as many steps each as the full one, so its cost grows
 * with the slice. The larger the slice, the closer "would more data help?" is to the question at full
 * scale: it gets as many examples as fit `LEARNING_CURVE_WORK` for this model and these settings,
 * from 2,000 to 8,000.
 */
function learningCurveLimit(prepared: Pick<PreparedTraining, "training"> & Partial<Pick<PreparedTraining, "summary">>): number {
  const flops = prepared.summary?.trainingFlopsPerExample;
  if (!flops) return DEFAULT_TRAIN_LIMIT;
  const affordable = (examples: number) => learningCurveWork(prepared.training, examples) * flops <= LEARNING_CURVE_WORK;
  // The work grows with the slice, though not in proportion (every model takes at least MIN_STEPS steps): bisect.
  let low = DEFAULT_TRAIN_LIMIT;
  let high = LEARNING_CURVE_MAX_EXAMPLES;
  if (affordable(high)) return high;
  while (high - low > 100) {
    const mid = Math.round((low + high) / 2);
    if (affordable(mid)) low = mid;
    else high = mid;
  }
  return low;
}

/** Default wall-clock budget of each training inside an experiment, seconds. */
export const DEFAULT_MAX_SECONDS = 120;

/** Runs one experiment on a prepared context (the grader's data, or a test's own examples). */
export async function runExperimentOn(
  name: ExperimentName,
  ctx: ExperimentContext,
  now: () => number = () => performance.now(),
): Promise<ExperimentResult> {
  const started = now();
  const finding = await CHECKS[name](ctx);
  return { ...finding, durationMs: Math.max(0, now() - started) };
}

export interface ExperimentOptions {
  tf: Tf;
  cacheDir?: string;
  /** Where a relative CSV `file` is read from (a course folder); default the built-in data directory. */
  dataDir?: string;
  /** A CSV dataset's text, when it is not read from a file (a dataset uploaded into a course). */
  csvText?: string;
  /** That dataset's stored split seed (default the built-in tables'). */
  csvSplitSeed?: number;
  /** Examples of the training split to use (small: experiments are quick checks). */
  trainLimit?: number;
  /** Wall-clock budget of each training inside the experiment, seconds. */
  maxSeconds?: number;
  /** Steps of the learning-rate sweep. */
  sweepSteps?: number;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  onBatch?: (batch: BatchLoss) => void;
}

/**
 * The student's model and the training examples, exactly as grading prepares them. A CSV is encoded
 * the way the grader's parent encodes it; of what that returns only the training rows are used.
 */
function experimentData(name: ExperimentName, exercise: ExerciseDefinition, payload: SubmissionPayload, options: ExperimentOptions) {
  const seed = exercise.seed;
  const files = { seed, cacheDir: options.cacheDir };
  if (exercise.dataset.kind === "csv") {
    // The model is checked before the CSV is read, so an invalid one costs no data loading.
    prepareTraining(exercise, payload, seed);
    // Tables are small and cheap to train on: all their rows (or the exercise's slice) give the comparisons their power.
    const trainLimit = options.trainLimit ?? exercise.data.trainLimit;
    const slice = { ...(trainLimit !== undefined ? { trainLimit } : {}), testLimit: 10 };
    const grading = loadGradingData(exercise.dataset, {
      ...files,
      slice,
      csvText: csvText(exercise.dataset, options),
      csvSplitSeed: options.csvSplitSeed,
    });
    const prepared = prepareTraining(exercise, payload, seed, gradingFacts(grading, exercise.dataset).prepare);
    const { train } = loadTrainingData(prepared.dataset, { ...files, slice, ...(grading.csv ? { csv: grading.csv.training } : {}) });
    return { prepared, train, targetScale: grading.csv?.training.targetScale, featureNames: grading.csv?.facts.featureNames };
  }
  const prepared = prepareTraining(exercise, payload, seed);
  const trainLimit = options.trainLimit ?? defaultTrainLimit(name, prepared, options.sweepSteps ?? SWEEP.steps);
  const { train } = loadTrainingData(prepared.dataset, { ...files, slice: { trainLimit, testLimit: 10 } });
  return { prepared, train, targetScale: undefined, featureNames: undefined };
}

/**
 * Runs one experiment on the student's model with the grader's training data, seeded. Never reads
 * test labels: every conclusion comes from training and validation examples.
 */
export async function runExperiment(
  name: ExperimentName,
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  options: ExperimentOptions,
): Promise<ExperimentResult> {
  const { prepared, train, targetScale, featureNames } = experimentData(name, exercise, payload, options);
  return runExperimentOn(name, {
    tf: options.tf,
    prepared,
    train,
    seed: exercise.seed,
    maxSeconds: options.maxSeconds ?? DEFAULT_MAX_SECONDS,
    ...(targetScale ? { targetScale } : {}),
    ...(featureNames ? { featureNames } : {}),
    ...(options.sweepSteps !== undefined ? { sweepSteps: options.sweepSteps } : {}),
    ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
  });
}
