import type { DataSlice, EpochMetrics, ExerciseDefinition, SubmissionPayload } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import { csvText } from "../answers/facts";
import { gradingFacts, loadGradingData, loadTrainingData } from "../grading/data";
import type { PrepareOptions } from "../grading/prepare";
import { tuningDataset } from "./apply";
import type { TuningResult, TuningTrial } from "./result";
import { checkTuning, runTuning, type TrialInfo } from "./run";
import { scoreFinal, stopReasonText } from "./score";
import type { TuningSearch } from "./search";
import { trainFinalInProcess, trainTrial, type FinalData, type SelectionData } from "./train";

export interface LocalTuningOptions {
  tf: Tf;
  /** Trials one search may run; the CLI has no assignment, so the default is the schema's maximum. */
  maxTrials: number;
  prepare?: PrepareOptions;
  signal?: AbortSignal;
  onTrialStart?: (info: TrialInfo) => void;
  onTrial?: (trial: TuningTrial, total: number) => void;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  /** Told when the final phase starts training. */
  onFinal?: () => void;
  now?: () => number;
}

/**
 * Runs a search in this process on data the caller hands over in two parts: the trials get
 * `selection` (labelled training examples only), the final phase gets `final`, whose test labels it
 * reads once, after every trial has ended.
 */
export async function tuneOn(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  search: TuningSearch,
  data: { selection: SelectionData; final: FinalData },
  options: LocalTuningOptions,
): Promise<TuningResult> {
  const { tf } = options;
  const maxSeconds = exercise.budgets.maxSeconds;
  return runTuning({
    exercise,
    payload,
    search,
    maxTrials: options.maxTrials,
    ...(options.prepare ? { prepare: options.prepare } : {}),
    ...(options.onTrial ? { onTrial: options.onTrial } : {}),
    ...(options.now ? { now: options.now } : {}),
    runTrial: async (prepared, info) => {
      options.onTrialStart?.(info);
      const report = await trainTrial(tf, {
        prepared,
        selection: data.selection,
        seed: exercise.seed,
        splitSeed: exercise.seed,
        maxSeconds,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
      });
      return { report, trainExamples: data.selection.train.n };
    },
    runFinal: async (prepared) => {
      options.onFinal?.();
      const { report, predictions } = await trainFinalInProcess(tf, {
        prepared,
        data: data.final,
        seed: exercise.seed,
        maxSeconds,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
      });
      const stopped = stopReasonText(report, maxSeconds);
      if (stopped !== undefined) return { status: "not_run", reason: `The final model did not finish training: ${stopped}` };
      return scoreFinal({
        predictions,
        testLabels: data.final.testLabels(),
        task: prepared.task,
        epochs: prepared.training.fit.epochs,
        trainExamples: data.final.train.n,
        seconds: report.durationMs / 1000,
      });
    },
  });
}

/**
 * `stepwise tune`: the search on the exercise's own data, exactly as the grader slices it, in this
 * process. No test-evaluation limit applies locally (the grader keeps the count).
 */
export async function tuneLocally(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  search: TuningSearch,
  options: LocalTuningOptions & { slice?: DataSlice; cacheDir?: string; dataDir?: string; csvText?: string; csvSplitSeed?: number },
): Promise<TuningResult> {
  // Refused before any data is read.
  checkTuning(exercise, payload, search, options.maxTrials);
  const slice = { ...exercise.data, ...options.slice };
  const seed = exercise.seed;
  const text = exercise.dataset.kind === "csv" ? csvText(exercise.dataset, options) : undefined;
  const grading = loadGradingData(exercise.dataset, {
    slice,
    seed,
    cacheDir: options.cacheDir,
    ...(text !== undefined ? { csvText: text, csvSplitSeed: options.csvSplitSeed } : {}),
  });
  const facts = gradingFacts(grading, exercise.dataset);
  const { train, testInputs } = loadTrainingData(tuningDataset(exercise, payload, facts.prepare), {
    slice,
    seed,
    cacheDir: options.cacheDir,
    ...(grading.csv ? { csv: grading.csv.training } : {}),
  });
  return tuneOn(
    exercise,
    payload,
    search,
    {
      selection: { train },
      final: {
        train,
        testInputs,
        testLabels: () => grading.testLabels,
        ...(grading.csv?.training.targetScale ? { targetScale: grading.csv.training.targetScale } : {}),
      },
    },
    { ...options, prepare: { ...facts.prepare, ...options.prepare } },
  );
}
