import type { DataSlice, EpochMetrics, ExerciseDefinition, SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { BudgetError, ValidationError } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import type { JsonObject } from "@stepwise/core/model";
import { loadTestLabels } from "./data";
import { prepareTraining, type PreparedTraining } from "./prepare";
import { trainAndPredict, type TrainAndPredictResult } from "./run";
import { scoreTraining } from "./score";
import { scoreOverfit } from "./score-overfit";
import { gradeRegularization } from "./regularize";
import { divergedVerdict, invalidVerdict, timedOutVerdict } from "./verdicts";

/** A finished training run → its verdict: diverged, over the time budget, or scored on the hidden labels. */
export function verdictFromRun(input: {
  exercise: ExerciseDefinition;
  prepared: PreparedTraining;
  payload: SubmissionPayload;
  result: TrainAndPredictResult;
  testLabels: Int32Array;
}): Verdict {
  const { exercise, prepared, result } = input;
  const { report } = result;
  const environment = { backend: report.backend, tfjsVersion: report.tfjsVersion, seed: report.seed, durationMs: report.durationMs };
  const epochs = prepared.training.fit.epochs;
  if (report.stopReason === "diverged") {
    return divergedVerdict({ epoch: report.history.length + 1, history: report.history, learningRate: prepared.training.compile.learningRate, environment });
  }
  if (report.stopReason === "budget") {
    return timedOutVerdict({ limitSeconds: exercise.budgets.maxSeconds, lastEpoch: report.history.length, epochs, history: report.history, environment });
  }
  if (result.predictions.length !== input.testLabels.length) {
    throw new Error(`the training run returned ${result.predictions.length} predictions for ${input.testLabels.length} test examples`);
  }
  // Each training step has its own verifier: 5 beats the baseline, 6 overfits.
  const score = exercise.step === 6 ? scoreOverfit : scoreTraining;
  return score({ ...input, report, predictions: result.predictions, outputStd: result.outputStd });
}

export interface LocalGradeOptions {
  /** Step 7: the student's step-6 submission, retrained for the comparison. */
  previous?: SubmissionPayload;
  tf: Tf;
  backend: string;
  tfjsVersion: string;
  slice?: DataSlice;
  cacheDir?: string;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  signal?: AbortSignal;
}

/**
 * Grades in this process exactly as the grader service does, minus the sandbox: for the CLI and
 * tests, where the code being graded is trusted. Submission faults come back as verdicts.
 */
export async function gradeLocally(exercise: ExerciseDefinition, payload: SubmissionPayload, options: LocalGradeOptions): Promise<Verdict> {
  let prepared: PreparedTraining;
  try {
    prepared = prepareTraining(exercise, payload, exercise.seed);
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }
  const slice = { ...exercise.data, ...options.slice };
  const testLabels = loadTestLabels(prepared.dataset, { slice, seed: exercise.seed, cacheDir: options.cacheDir });
  const run = (model: PreparedTraining, report = true) =>
    trainAndPredict(options.tf, {
      topology: model.topology as JsonObject,
      training: model.training,
      dataset: model.dataset,
      slice,
      task: model.task,
      seed: exercise.seed,
      maxSeconds: exercise.budgets.maxSeconds,
      cacheDir: options.cacheDir,
      backend: options.backend,
      tfjsVersion: options.tfjsVersion,
      onEpoch: report ? options.onEpoch : undefined,
      signal: options.signal,
    });
  try {
    if (exercise.step === 7) {
      if (!options.previous) return invalidVerdict("Step 7 compares against your step-6 model: pass step 6 first.");
      const graded = await gradeRegularization({
        exercise,
        payload,
        previous: options.previous,
        testLabels,
        run: (model, role) => run(model, role === "after"),
      });
      return "stopped" in graded ? verdictFromRun({ exercise, prepared, payload, result: graded.stopped, testLabels }) : graded;
    }
    const result = await run(prepared);
    return verdictFromRun({ exercise, prepared, payload, result, testLabels });
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }
}
