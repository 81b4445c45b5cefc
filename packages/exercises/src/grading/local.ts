import type { DataSlice, EpochMetrics, ExerciseDefinition, SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { BudgetError, StepwiseError, ValidationError } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import type { JsonObject } from "@stepwise/core/model";
import { statusVerdict } from "@stepwise/core/verify";
import { csvText } from "../answers/facts";
import type { Technique } from "../course/schema";
import { gradingFacts, loadGradingData, type GradingData } from "./data";
import { prepareTraining, type PreparedTraining } from "./prepare";
import { trainAndPredict } from "./run";
import { verdictFromRun } from "./run-verdict";
import type { ScoreData } from "./score";
import { trainingDataSummary } from "./data-summary";
import { gradeRegularization } from "./regularize";
import { gradeWithSeeds, singleSeedNote } from "./seeds";
import { invalidVerdict } from "./verdicts";

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
  /** That dataset's stored split seed (default the built-in tables'). */
  csvSplitSeed?: number;
  /** Training seeds each model is retrained with (the assignment's `seeds`, 1–10); default 1. Step 7 keeps one. */
  seeds?: number;
  /** Step-7 techniques the assignment allows (`toolboxPolicy(overrides).allowed`); all when absent. */
  toolbox?: readonly Technique[];
  /** Epochs of the first seed's run only (its curves are the verdict's). */
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  signal?: AbortSignal;
}

/**
 * Grades in this process exactly as the grader service does, minus the sandbox: for the CLI and
 * tests, where the code being graded is trusted. Submission faults come back as verdicts.
 */
export async function gradeLocally(exercise: ExerciseDefinition, payload: SubmissionPayload, options: LocalGradeOptions): Promise<Verdict> {
  const toolbox = options.toolbox ? { toolbox: options.toolbox } : {};
  try {
    // The model is checked before any data is read: an invalid submission costs nothing.
    prepareTraining(exercise, payload, exercise.seed, toolbox);
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }
  const slice = { ...exercise.data, ...options.slice };
  let grading: GradingData;
  try {
    const text = exercise.dataset.kind === "csv" ? csvText(exercise.dataset, options) : undefined;
    grading = loadGradingData(exercise.dataset, { slice, seed: exercise.seed, cacheDir: options.cacheDir, ...(text !== undefined ? { csvText: text, csvSplitSeed: options.csvSplitSeed } : {}) });
  } catch (error) {
    const verdict = datasetErrorVerdict(exercise, error);
    if (verdict) return verdict;
    throw error;
  }
  const facts = gradingFacts(grading, exercise.dataset);
  const { testLabels } = grading;
  const run = (model: PreparedTraining, report = true, seed = exercise.seed, maxSeconds = exercise.budgets.maxSeconds) =>
    trainAndPredict(options.tf, {
      topology: model.topology as JsonObject,
      training: model.training,
      dataset: model.dataset,
      slice,
      task: model.task,
      seed,
      dataSeed: exercise.seed,
      maxSeconds,
      cacheDir: options.cacheDir,
      ...(grading.csv ? { csv: grading.csv.training } : {}),
      backend: options.backend,
      tfjsVersion: options.tfjsVersion,
      onEpoch: report ? options.onEpoch : undefined,
      signal: options.signal,
    });
  try {
    const prepared = prepareTraining(exercise, payload, exercise.seed, { ...facts.prepare, ...toolbox });
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
        prepare: { ...facts.prepare, ...toolbox },
        data,
        run: (model, role) => run(model, role === "after"),
      });
      return singleSeedNote("stopped" in graded ? verdictFromRun({ exercise, prepared, payload, result: graded.stopped, testLabels, data }) : graded, options.seeds ?? 1);
    }
    return await gradeWithSeeds({
      exercise,
      prepared,
      payload,
      testLabels,
      data,
      seeds: options.seeds ?? 1,
      run: (seed, index, maxSeconds) => run(prepared, index === 0, seed, maxSeconds),
    });
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }
}
