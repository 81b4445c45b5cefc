import { z } from "zod";
import { DataSlice, DatasetRef, EpochMetrics, ProjectPreparation, TrainingConfig, TrainingReport } from "@stepwise/core/contracts";
import { CsvTrainingData } from "@stepwise/exercises/grading";
import { EXPERIMENTS } from "@stepwise/exercises/experiments";

/**
 * Messages between a worker and its training child. Both sides parse what they receive:
 * the child is a sandbox for untrusted models, so nothing it says is trusted either.
 */

/** What a child needs to train one model: shared by a graded run (`train`) and a tuning trial (`tune-trial`). */
const TrainingRun = {
  jobId: z.string(),
  /** Validated, seed-injected TF.js topology (the child never sees the raw submission). */
  topology: z.record(z.string(), z.unknown()),
  training: TrainingConfig,
  dataset: DatasetRef,
  data: DataSlice,
  /** Training seed of this run: initial weights, batch order, dropout. */
  seed: z.number().int(),
  /**
   * The exercise's seed, which fixes the data slice, the validation split and the test inputs' order:
   * the parent scores the predictions against test labels it loaded with it, whatever the training seed.
   */
  dataSeed: z.number().int(),
  /** This run's training budget, seconds: the exercise's (shared by its N seeds' runs when graded). */
  maxSeconds: z.number().positive(),
  task: z.object({ kind: z.enum(["binary", "multiclass", "regression"]), numClasses: z.number().int().min(1) }),
  backend: z.enum(["auto", "tensorflow", "wasm", "cpu"]),
  cacheDir: z.string(),
  /** CSV datasets: rows the parent encoded — training rows with labels, test rows as inputs only. */
  csv: CsvTrainingData.optional(),
  /** Guided courses: step 4's scaling of image inputs, fitted on the training examples in the child. */
  scaling: ProjectPreparation.shape.scaling.optional(),
};

export const TrainRequest = z.object({ type: z.literal("train"), ...TrainingRun }).strict();
export type TrainRequest = z.infer<typeof TrainRequest>;

const Shape = z.array(z.number().int().nullable());

/**
 * A debugging experiment on the student's model (`experiment.ts` builds it): the same validated
 * topology as a training request, and training examples only — an experiment never sees test labels.
 */
export const ExperimentRequest = z
  .object({
    type: z.literal("experiment"),
    jobId: z.string(),
    experiment: z.enum(EXPERIMENTS),
    topology: z.record(z.string(), z.unknown()),
    training: TrainingConfig,
    dataset: DatasetRef,
    summary: z
      .object({
        layers: z.array(z.object({ name: z.string(), className: z.string(), outputShape: Shape, params: z.number().int() }).strict()),
        inputShape: Shape,
        outputShape: Shape,
        totalParams: z.number().int(),
        trainingFlopsPerExample: z.number(),
      })
      .strict(),
    task: z.object({ kind: z.enum(["binary", "multiclass", "regression"]), numClasses: z.number().int().min(1) }),
    seed: z.number().int(),
    /** Training examples the experiment draws on (built-in datasets; a CSV's rows were sliced by the parent). */
    trainLimit: z.number().int().min(1),
    /** Wall-clock budget of each training inside the experiment, seconds. */
    maxSeconds: z.number().positive(),
    backend: z.enum(["auto", "tensorflow", "wasm", "cpu"]),
    cacheDir: z.string(),
    /** CSV datasets: the encoded training rows (the test rows' inputs come along, never their labels). */
    csv: CsvTrainingData.optional(),
    featureNames: z.array(z.string()).optional(),
    /** Guided courses: step 4's scaling of image inputs, as the graded runs get it. */
    scaling: ProjectPreparation.shape.scaling.optional(),
  })
  .strict();
export type ExperimentRequest = z.infer<typeof ExperimentRequest>;

/**
 * One trial of a tuning search (`tune.ts`): the trial's validated model trains on the training split
 * with a hold-out validation split drawn with `dataSeed`, the same for every trial. Test data plays
 * no part: the child loads training examples only and answers `experiment-done` with
 * `{ report, trainExamples }` (`TrialResult`).
 */
export const TuneTrialRequest = z.object({ type: z.literal("tune-trial"), ...TrainingRun }).strict();
export type TuneTrialRequest = z.infer<typeof TuneTrialRequest>;

/** What a trial child answers (inside `experiment-done`); the parent parses it. */
export const TrialResult = z.object({ report: TrainingReport, trainExamples: z.number().int().min(0) }).strict();
export type TrialResult = z.infer<typeof TrialResult>;

export const ChildMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready"), backend: z.string(), tfjsVersion: z.string() }),
  z.object({ type: z.literal("epoch"), metrics: EpochMetrics, epochs: z.number().int() }),
  z.object({ type: z.literal("evaluating") }),
  /**
   * Sent just before a run's final message: whether the child freed every tensor the run allocated
   * and can take another run (`WarmPool` reuses children between jobs).
   */
  z.object({ type: z.literal("clean"), reusable: z.boolean() }),
  z.object({
    type: z.literal("done"),
    report: TrainingReport,
    /** One entry per test example: the predicted class (classification) or value (regression). */
    predictions: z.array(z.number()).max(1_000_000),
    /** Spread of the raw outputs, for the "predictions constant" diagnostic. */
    outputStd: z.number(),
    /** Binary tasks: class 1's score per test example (ROC AUC). */
    scores: z.array(z.number()).max(1_000_000).optional(),
  }),
  /** An experiment's result; the parent parses it with the experiments' own schema. */
  z.object({ type: z.literal("experiment-done"), result: z.unknown() }),
  z.object({ type: z.literal("invalid"), message: z.string().max(4000) }),
  z.object({ type: z.literal("error"), message: z.string().max(4000) }),
]);
export type ChildMessage = z.infer<typeof ChildMessage>;
