import type { DataSlice, EpochMetrics, ExerciseDefinition, SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { BudgetError, StepwiseError, ValidationError } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import type { JsonObject } from "@stepwise/core/model";
import { statusVerdict } from "@stepwise/core/verify";
import { csvText } from "../answers/facts";
import { gradingFacts, loadGradingData, type GradingData } from "./data";
import { prepareTraining, type PreparedTraining } from "./prepare";
import { trainAndPredict, type TrainAndPredictResult } from "./run";
import { diagnoseRun, scoreTraining, type ScoreData } from "./score";
import { trainingDataSummary } from "./data-summary";
import { scoreOverfit } from "./score-overfit";
import { gradeRegularization } from "./regularize";
import { divergedVerdict, invalidVerdict, timedOutVerdict } from "./verdicts";

/** A finished training run → its verdict: diverged, over the time budget, or scored on the hidden labels. */
export function verdictFromRun(input: {
  exercise: ExerciseDefinition;
  prepared: PreparedTraining;
  payload: SubmissionPayload;
  result: TrainAndPredictResult;
  testLabels: Int32Array | Float32Array;
  data?: ScoreData;
}): Verdict {
  const { exercise, prepared, result } = input;
  const { report } = result;
  const environment = { backend: report.backend, tfjsVersion: report.tfjsVersion, seed: report.seed, durationMs: report.durationMs };
  const epochs = prepared.training.fit.epochs;
  if (report.stopReason === "diverged") {
    // The harness stops inside the epoch whose loss stopped being finite, before recording it: the
    // checklist sees that epoch as the NaN it was, so loss-nan names what happened.
    const last = report.history.at(-1);
    const history = last && !Number.isFinite(last.loss) ? report.history : [...report.history, { epoch: report.history.length + 1, loss: Number.NaN, seconds: 0 }];
    const diagnostics = diagnoseRun({ prepared, report: { ...report, history }, ...(input.data ? { data: input.data } : {}) });
    return divergedVerdict({ epoch: report.history.length + 1, history: report.history, learningRate: prepared.training.compile.learningRate, environment, diagnostics });
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

/** A dataset that cannot be read is the exercise's fault, not the student's: an `error` verdict that costs no attempt. */
export function datasetErrorVerdict(exercise: ExerciseDefinition, error: unknown): Verdict | undefined {
  const fsError = error instanceof Error && "code" in error && typeof error.code === "string" && error.code.startsWith("E");
  if (!(error instanceof StepwiseError) && !fsError) return undefined;
  return statusVerdict("error", `The dataset of "${exercise.id}" could not be read: ${error.message}`);
}

export interface LocalGradeOptions {
  /** Step 7: the student's step-6 submission, retrained for the comparison. */
  previous?: SubmissionPayload;
  tf: Tf;
  backend: string;
  tfjsVersion: string;
  slice?: DataSlice;
  cacheDir?: string;
  /** Where a relative CSV `file` is read from (a course folder); default the built-in data directory. */
  dataDir?: string;
  /** A CSV dataset's text, when it is not read from a file. */
  csvText?: string;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  signal?: AbortSignal;
}

/**
 * Grades in this process exactly as the grader service does, minus the sandbox: for the CLI and
 * tests, where the code being graded is trusted. Submission faults come back as verdicts.
 */
export async function gradeLocally(exercise: ExerciseDefinition, payload: SubmissionPayload, options: LocalGradeOptions): Promise<Verdict> {
  try {
    // The model is checked before any data is read: an invalid submission costs nothing.
    prepareTraining(exercise, payload, exercise.seed);
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }
  const slice = { ...exercise.data, ...options.slice };
  let grading: GradingData;
  try {
    const text = exercise.dataset.kind === "csv" ? csvText(exercise.dataset, options) : undefined;
    grading = loadGradingData(exercise.dataset, { slice, seed: exercise.seed, cacheDir: options.cacheDir, ...(text !== undefined ? { csvText: text } : {}) });
  } catch (error) {
    const verdict = datasetErrorVerdict(exercise, error);
    if (verdict) return verdict;
    throw error;
  }
  const facts = gradingFacts(grading, exercise.dataset);
  const { testLabels } = grading;
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
      ...(grading.csv ? { csv: grading.csv.training } : {}),
      backend: options.backend,
      tfjsVersion: options.tfjsVersion,
      onEpoch: report ? options.onEpoch : undefined,
      signal: options.signal,
    });
  try {
    const prepared = prepareTraining(exercise, payload, exercise.seed, facts.prepare);
    const data: ScoreData = {
      ...facts.score,
      training: trainingDataSummary(prepared, { slice, seed: exercise.seed, cacheDir: options.cacheDir, ...(grading.csv ? { csv: grading.csv.training } : {}) }),
    };
    if (exercise.step === 7) {
      if (!options.previous) return invalidVerdict("Step 7 compares against your step-6 model: pass step 6 first.");
      const graded = await gradeRegularization({
        exercise,
        payload,
        previous: options.previous,
        testLabels,
        prepare: facts.prepare,
        data,
        run: (model, role) => run(model, role === "after"),
      });
      return "stopped" in graded ? verdictFromRun({ exercise, prepared, payload, result: graded.stopped, testLabels, data }) : graded;
    }
    const result = await run(prepared);
    return verdictFromRun({ exercise, prepared, payload, result, testLabels, data });
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }
}
