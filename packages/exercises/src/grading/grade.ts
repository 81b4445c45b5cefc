import type { DataSlice, ExerciseDefinition, ProjectDecisions, SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { BudgetError, StepwiseError, ValidationError } from "@stepwise/core/contracts";
import { statusVerdict } from "@stepwise/core/verify";
import type { Technique } from "../course/schema";
import { withoutFeatures } from "./csv";
import { gradingFacts, loadGradingData, type GradingData } from "./data";
import { trainingDataSummary } from "./data-summary";
import { prepareTraining, type PrepareOptions, type PreparedTraining } from "./prepare";
import { gradeRegularization } from "./regularize";
import { recordRun, reuseBefore, withRunRecord, type RunRecord, type RunRuntime } from "./reuse";
import type { TrainAndPredictResult } from "./run";
import { verdictFromRun } from "./run-verdict";
import type { ScoreData } from "./score";
import { gradeWithSeeds, singleSeedNote } from "./seeds";
import { invalidVerdict } from "./verdicts";
import { scalingFor, withDecisions, withProtocol } from "./decisions";
import { withProjectDecisions } from "./metric-choice";

import type { GradingRun, GradingRunner } from "./runner";

export type { GradingRun, GradingRunner } from "./runner";

/** A CSV's text and the seed of the dataset's fixed test split (stored with an upload). */
export interface CsvContent {
  text: string;
  splitSeed: number;
}

export interface GradeSubmissionInput {
  exercise: ExerciseDefinition;
  payload: SubmissionPayload;
  run: GradingRunner;
  slice: DataSlice;
  cacheDir?: string;
  /**
   * A CSV dataset's content and the seed of its fixed test split, read only when the dataset is a
   * CSV; a throw becomes an `error` verdict.
   */
  readCsv?: () => CsvContent | Promise<CsvContent>;
  /** Training seeds each model is retrained with (the assignment's `seeds`, 1–10); default 1. Step 7 keeps one. */
  seeds?: number;
  /** Step-7 techniques the assignment allows (`toolboxPolicy(overrides).allowed`); all when absent. */
  toolbox?: readonly Technique[];
  /** Step 7: the student's step-6 submission, retrained for the comparison. */
  previous?: SubmissionPayload;
  /**
   * The backend and code version runs train on. Given, the graded run's fingerprint is recorded with
   * the verdict, and step 7 reuses `previousRun` (the step-6 verdict's record) when it matches.
   */
  runtime?: RunRuntime;
  /** Step 7: the record of the student's graded step-6 run (`verdict.environment.run`). */
  previousRun?: RunRecord;
  /** Told of the model once it is prepared, before anything trains (the grader logs it). */
  onPrepared?: (prepared: PreparedTraining) => void;
  /** Step 7: what the comparison's test evaluation concluded; the grader records it for test-set hygiene and may flag it. */
  onStep7Verdict?: (verdict: Verdict, prepared: PreparedTraining) => Promise<Verdict>;
  /**
   * Guided courses: the student's step-2/3/4 decisions (`decisionsOf` the engine's hand-over). The
   * metric is reported first, the protocol is the one the runs validate with, the preparation is applied
   * to the inputs, IMDB's vocabulary is the one the model's input must be built for (`withDecisions`);
   * all are recorded in the verdict's environment. Absent: the exercise's own.
   */
  decisions?: ProjectDecisions;
}

/** Whether `error` says a dataset could not be read: a file error (ENOENT, EACCES …) or one of core's named errors (a malformed CSV, a missing upload). */
export function isDatasetReadError(error: unknown): error is Error {
  const fsError = error instanceof Error && "code" in error && typeof error.code === "string" && error.code.startsWith("E");
  return error instanceof StepwiseError || fsError;
}

/** A dataset that cannot be read is the exercise's fault, not the student's: an `error` verdict that costs no attempt. */
export function datasetErrorVerdict(exercise: ExerciseDefinition, error: unknown): Verdict | undefined {
  if (!isDatasetReadError(error)) return undefined;
  return statusVerdict("error", `The dataset of "${exercise.id}" could not be read: ${error.message}`);
}

/** Status lines for step 7's trainings; "after" streams its epochs instead. */
function step7Announce(role: "before" | "after" | "final", at: { index: number; count: number }): string | undefined {
  if (role === "before") return `retraining your step-6 model for the comparison (${at.index} of ${at.count})`;
  if (role === "final") return `training the final model on training + validation data (${at.index} of ${at.count})`;
  return undefined;
}

/** Step 7's trainings in the student's progress, in the order they run. */
const STEP7_PLACE = {
  before: { index: 1, title: "your step-6 model, for the comparison" },
  after: { index: 2, title: "your step-7 model" },
  final: { index: 3, title: "the final model, on training + validation data" },
} as const;

class RunStopped extends Error {
  constructor(readonly verdict: Verdict) {
    super(verdict.summary);
  }
}

/**
 * Grades one training submission, the same way wherever it trains: prepare the model once (a built-in
 * dataset's before any data is read, so an invalid submission costs nothing; a CSV's once its encoding
 * gives the input width and classes), load the hidden test labels, summarize the training data for
 * the checklist, then retrain — step 7 against the step-6 model, steps 5–6 with N seeds. Submission
 * faults come back as verdicts.
 */
export async function gradeSubmission(input: GradeSubmissionInput): Promise<Verdict> {
  return withProjectDecisions(await gradeWithDecisions(input), input.decisions);
}

/** The column drop list of step 7 on a table; refused anywhere else, naming why. */
function featureSelection(exercise: ExerciseDefinition, payload: SubmissionPayload) {
  const features = payload.training?.features;
  if (!features || features.drop.length === 0) return undefined;
  if (exercise.dataset.kind !== "csv")
    throw new ValidationError(
      `features.drop leaves out table columns; ${exercise.dataset.kind.toUpperCase()} has none. Remove \`features\` from the settings.`,
      "training.features",
    );
  if (exercise.step !== 7)
    throw new ValidationError(
      `Adding or removing features is part of step 7 (regularize and tune); step ${exercise.step} trains on every column. Remove \`features\` from the settings.`,
      "training.features",
    );
  return features;
}

async function gradeWithDecisions(input: GradeSubmissionInput): Promise<Verdict> {
  const { slice, cacheDir, decisions } = input;
  // The grader's resolveJob has placed the exercise already (idempotent); gradeLocally's callers need not.
  const { exercise, payload } = withProtocol(withDecisions(input.exercise, decisions), input.payload, decisions?.protocol);
  const seed = exercise.seed;
  const scalings = scalingFor(exercise.dataset, decisions?.preparation);
  const imageScaling = scalings.imageScaling ? { scaling: scalings.imageScaling } : {};
  const csvScaling = scalings.csvScaling ? { csvScaling: scalings.csvScaling } : {};
  const toolbox = input.toolbox ? { toolbox: input.toolbox } : {};
  const prepare = (facts: PrepareOptions) => prepareTraining(exercise, payload, seed, { ...facts, ...toolbox });
  try {
    let prepared = exercise.dataset.kind === "csv" ? undefined : prepare({});
    let grading: GradingData;
    try {
      const csv = exercise.dataset.kind === "csv" ? await input.readCsv?.() : undefined;
      grading = loadGradingData(exercise.dataset, {
        slice,
        seed,
        cacheDir,
        ...csvScaling,
        ...(csv !== undefined ? { csvText: csv.text, csvSplitSeed: csv.splitSeed } : {}),
      });
    } catch (error) {
      const verdict = datasetErrorVerdict(exercise, error);
      if (verdict) return verdict;
      throw error;
    }
    // Step 7's dropped columns: the model trains on the table without them; its step-6 model, retrained
    // for the comparison, on the whole table it was built for.
    const selection = featureSelection(exercise, payload);
    const whole = grading;
    if (selection && grading.csv && exercise.dataset.kind === "csv")
      grading = { ...grading, csv: withoutFeatures(grading.csv, selection, exercise.dataset.target) };
    const facts = gradingFacts(grading, exercise.dataset);
    prepared ??= prepare(facts.prepare);
    const csv = grading.csv ? { csv: grading.csv.training } : {};
    // The data rules of the checklist read the training examples as the runs are fed them (same
    // loader, slice, seed and preparation); no test data is involved.
    const metric = decisions?.metric ? { metric: decisions.metric } : {};
    const data: ScoreData = {
      ...facts.score,
      ...metric,
      training: trainingDataSummary(prepared, { slice, seed, cacheDir, ...csv, ...imageScaling }),
    };
    const { testLabels } = grading;
    input.onPrepared?.(prepared);
    const train = async (run: Omit<GradingRun, "dataSeed" | "slice" | "csv">, rows = csv): Promise<TrainAndPredictResult> => {
      const result = await input.run({ ...run, dataSeed: seed, slice, ...rows, ...imageScaling });
      if ("stopped" in result) throw new RunStopped(result.stopped);
      return result;
    };
    const seeds = input.seeds ?? 1;

    if (exercise.step === 7) {
      if (!input.previous) return invalidVerdict("Step 7 compares against your step-6 model on the same dataset: pass step 6 first.");
      const kfold = prepared.training.validation?.kind === "kfold";
      let before = "";
      let reusedBefore = false;
      // Where a run stands among step 7's trainings: the "before" run reused from step 6 trains nothing.
      const place = (role: keyof typeof STEP7_PLACE) => {
        const shift = reusedBefore ? 1 : 0;
        return { ...STEP7_PLACE[role], index: STEP7_PLACE[role].index - shift, count: (kfold ? 2 : 3) - shift };
      };
      const graded = await gradeRegularization({
        exercise,
        payload,
        prepared,
        previous: input.previous,
        testLabels,
        prepare: { ...gradingFacts(whole, exercise.dataset).prepare, ...toolbox },
        data,
        // The test set is evaluated by the last training: the final model's, or K-fold's own final model (no third run).
        run: (model, role) => {
          const rows = role === "before" && whole.csv ? { csv: whole.csv.training } : csv;
          const run = {
            prepared: model,
            seed,
            maxSeconds: exercise.budgets.maxSeconds,
            streams: role === "after",
            evaluating: role === (kfold ? "after" : "final"),
            label: role,
            announce: step7Announce(role, place(role)),
            place: place(role),
          };
          if (role !== "before") return train(run, rows);
          const reused = reuseBefore(input.previousRun, { ...run, dataSeed: seed, slice, ...rows, ...imageScaling }, input.runtime, {
            backend: input.runtime?.backend ?? "",
            tfjsVersion: "",
          });
          before = reused.note;
          if (!("result" in reused)) return train(run, rows);
          reusedBefore = true;
          return Promise.resolve(reused.result);
        },
      });
      const compared =
        "stopped" in graded ? graded : { ...graded, ...(graded.environment ? { environment: { ...graded.environment, before } } : {}) };
      const verdict = singleSeedNote(
        "stopped" in compared ? verdictFromRun({ exercise, prepared, payload, result: compared.stopped, testLabels, data }) : compared,
        seeds,
      );
      return input.onStep7Verdict ? await input.onStep7Verdict(verdict, prepared) : verdict;
    }
    // One run per seed, in turn: the first streams its epochs (its curves are the verdict's, and its
    // record goes with the verdict for step 7 to reuse), the last announces the test evaluation.
    let record: RunRecord | undefined;
    const recorded = async (run: Omit<GradingRun, "dataSeed" | "slice" | "csv">, first: boolean) => {
      const result = await train(run);
      if (first && input.runtime) record = recordRun({ ...run, dataSeed: seed, slice, ...csv, ...imageScaling }, result, input.runtime);
      return result;
    };
    const graded = await gradeWithSeeds({
      exercise,
      prepared,
      payload,
      testLabels,
      data,
      seeds,
      run: (runSeed, index, maxSeconds) =>
        recorded(
          {
            prepared,
            seed: runSeed,
            maxSeconds,
            streams: index === 0,
            evaluating: index === seeds - 1,
            label: seeds > 1 ? `model (training seed ${runSeed}, run ${index + 1} of ${seeds})` : "model",
            announce: `retraining with training seed ${index + 1} of ${seeds}`,
            place: { index: index + 1, count: seeds, title: seeds > 1 ? `your model, training seed ${index + 1}` : "your model" },
          },
          index === 0,
        ),
    });
    return withRunRecord(graded, record);
  } catch (error) {
    if (error instanceof RunStopped) return error.verdict;
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }
}
