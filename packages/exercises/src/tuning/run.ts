import type { ExerciseDefinition, SubmissionPayload, TrainingReport } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import { toCurve } from "../experiments/context";
import type { PrepareOptions, PreparedTraining } from "../grading/prepare";
import { taskOf } from "../grading/task";
import { checkSpaceFits, prepareTrials } from "./apply";
import { describeValues, expandSearch } from "./expand";
import { halvingSchedule, promote } from "./halving";
import type { FinalEvaluation, TuningResult, TuningTrial } from "./result";
import { scoreTrial, selectionMetric, stopReasonText } from "./score";
import type { TrialValues, TuningSearch } from "./search";
import { finalTraining } from "./train";

/**
 * A tuning search in two phases, with the training itself injected (in-process for the CLI, one
 * sandboxed child per trial in the grader):
 *
 * 1. Selection: every trial trains on the training split and is scored on the validation split
 *    carved off it with the exercise's seed (the same examples for every trial). `runTrial` gets a
 *    prepared model and nothing else: the data it trains on is the caller's selection data, which
 *    holds no test set.
 * 2. Final: the best trial's configuration is retrained on train+validation for its best epoch count
 *    and evaluated once on the hidden test set. `runFinal` is called at most once, after every trial.
 */

/** How one trial's training ended: its report, or why there is none (out of memory, killed by the hard limit). */
export type TrialOutcome = { report: TrainingReport; trainExamples: number } | { failed: string };

export interface TrialInfo {
  index: number;
  total: number;
  values: TrialValues;
  /** Epochs this run trains: the rung's (successive halving), else the model's. */
  epochs?: number;
  /** The model's own epochs, which the last rung trains. */
  fullEpochs?: number;
  /** 1-based rung of the halving schedule, and how many rungs it has. */
  rung?: number;
  rungs?: number;
}

export interface TuningRunners {
  /** Trains one trial on the selection data; throws only for faults of the runner (the grader's). */
  runTrial: (prepared: PreparedTraining, info: TrialInfo) => Promise<TrialOutcome>;
  /**
   * The final phase: trains the selected configuration (validation split 0, the selected epochs) on
   * train+validation and evaluates it once on test — or says why it did not (no test evaluation left).
   * `chosen` is the selected trial's configuration as it trained during selection.
   */
  runFinal: (prepared: PreparedTraining, selected: TuningTrial, chosen: PreparedTraining) => Promise<FinalEvaluation>;
}

export interface TuningInput extends TuningRunners {
  exercise: ExerciseDefinition;
  payload: SubmissionPayload;
  search: TuningSearch;
  /** Trials one search may run on this assignment (`toolboxPolicy(overrides).tuningTrials`). */
  maxTrials: number;
  /** Facts of a CSV dataset and the grader's throughput, as `prepareTraining` takes them. */
  prepare?: PrepareOptions;
  /** Told of each trial as it ends, for progress. */
  onTrial?: (trial: TuningTrial, total: number) => void;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

/** Progress label of a trial, as the grader stores it (`run` event) and the CLI prints it: "trial 2 of 8: …". */
export const trialLabel = (info: Pick<TrialInfo, "index" | "total" | "values" | "epochs" | "fullEpochs">) => {
  const part =
    info.epochs !== undefined && info.fullEpochs !== undefined && info.epochs < info.fullEpochs
      ? ` (${info.epochs} of ${info.fullEpochs} epochs)`
      : "";
  return `trial ${info.index} of ${info.total}${part}: ${describeValues(info.values) || "the model as submitted"}`;
};
/** Matches a trial's progress label; groups: trial number, trials in all. */
export const TRIAL_LABEL = /^trial (\d+) of (\d+)/;
export const FINAL_LABEL = "final model: retraining the selected configuration on train+validation";

/** Everything checked before a search trains anything; throws `ValidationError` naming the problem. */
export function checkTuning(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  search: TuningSearch,
  maxTrials: number,
): TrialValues[] {
  if (exercise.kind !== "training" || exercise.step !== 7) {
    throw new ValidationError(`Tuning runs on step 7 (regularize and tune); "${exercise.id}" is step ${exercise.step}.`, "exerciseId");
  }
  if (!payload.model || !payload.training)
    throw new ValidationError("Tuning needs a submission with a model and training settings.", "model");
  if (payload.training.fit.validationSplit <= 0) {
    throw new ValidationError(
      "Tuning selects on a validation split: set training.fit.validationSplit above 0 (e.g. 0.2).",
      "training.fit.validationSplit",
    );
  }
  const trials = expandSearch(search, { maxTrials, seed: exercise.seed });
  checkSpaceFits(payload.model, search.space);
  return trials;
}

/** A trial as one rung trains it: the same model and settings for fewer epochs. */
function withEpochs(prepared: PreparedTraining, epochs: number): PreparedTraining {
  if (epochs === prepared.training.fit.epochs) return prepared;
  return { ...prepared, training: { ...prepared.training, fit: { ...prepared.training.fit, epochs } } };
}

export async function runTuning(input: TuningInput): Promise<TuningResult> {
  const now = input.now ?? (() => performance.now());
  const started = now();
  const { exercise, search } = input;
  const values = checkTuning(exercise, input.payload, search, input.maxTrials);
  const prepared = prepareTrials(exercise, input.payload, values, input.prepare);
  const total = prepared.length;
  const task = taskOf(exercise.dataset);
  const metric = selectionMetric(task);

  const trainable = prepared.flatMap((trial, i) =>
    "prepared" in trial ? [{ index: i + 1, values: trial.values, prepared: trial.prepared }] : [],
  );
  const fullEpochs = trainable[0]?.prepared.training.fit.epochs ?? 1;
  const rungs = halvingSchedule(Math.max(1, trainable.length), fullEpochs, search.halving);
  const rows = new Map<number, TuningTrial>();
  const settle = (row: TuningTrial) => {
    rows.set(row.index, row);
    input.onTrial?.(row, total);
  };
  for (const [i, trial] of prepared.entries()) {
    if ("skipped" in trial) {
      settle({
        index: i + 1,
        values: trial.values,
        status: "skipped",
        reason: trial.skipped,
        validation: null,
        training: null,
        bestEpoch: null,
        gap: null,
        seconds: 0,
        history: [],
      });
    }
  }

  let backend = "none";
  let trainExamples = 0;
  let alive = trainable;
  for (const [r, rung] of rungs.entries()) {
    for (const trial of alive) {
      const info: TrialInfo = {
        index: trial.index,
        total,
        values: trial.values,
        epochs: rung.epochs,
        fullEpochs,
        rung: r + 1,
        rungs: rungs.length,
      };
      const begun = now();
      const outcome = await input.runTrial(withEpochs(trial.prepared, rung.epochs), info);
      // A continued trial's time is the sum of its rungs: each trained it from its seed.
      const seconds = Math.max(0, (now() - begun) / 1000) + (rows.get(trial.index)?.seconds ?? 0);
      const common = {
        index: trial.index,
        values: trial.values,
        params: trial.prepared.summary.totalParams,
        seconds,
        ...(rungs.length > 1 ? { epochs: rung.epochs } : {}),
      };
      if ("failed" in outcome) {
        rows.set(trial.index, {
          ...common,
          status: "stopped",
          reason: outcome.failed,
          validation: null,
          training: null,
          bestEpoch: null,
          gap: null,
          history: [],
        });
        continue;
      }
      backend = outcome.report.backend;
      trainExamples = outcome.trainExamples;
      const reason = stopReasonText(outcome.report, exercise.budgets.maxSeconds);
      rows.set(trial.index, {
        ...common,
        status: reason === undefined ? "ok" : "stopped",
        ...(reason !== undefined ? { reason } : {}),
        ...scoreTrial(outcome.report.history, task),
        history: toCurve(outcome.report.history),
      });
    }
    const next = rungs[r + 1];
    if (!next) break;
    const ranked = alive.map(({ index }) => {
      const row = rows.get(index);
      return { index, validation: row?.status === "ok" ? row.validation : null };
    });
    const kept = new Set(promote(ranked, next.trials, metric.higherIsBetter));
    for (const { index } of alive) {
      const row = rows.get(index);
      if (!row || kept.has(index)) continue;
      const pruned =
        row.status === "ok"
          ? {
              status: "pruned" as const,
              reason: `Not continued: not among the best ${next.trials} of ${alive.length} on validation after ${rung.epochs} of ${fullEpochs} epochs.`,
            }
          : {};
      settle({ ...row, ...pruned });
    }
    alive = alive.filter((t) => kept.has(t.index));
  }
  for (const { index } of alive) {
    const row = rows.get(index);
    if (row) settle(row);
  }
  const trials = [...rows.values()].sort((a, b) => a.index - b.index);

  // Only trials that ran to their end compete; the earliest wins a tie.
  let best: TuningTrial | undefined;
  for (const trial of trials) {
    if (trial.status !== "ok" || trial.validation === null) continue;
    if (
      !best ||
      best.validation === null ||
      (metric.higherIsBetter ? trial.validation > best.validation : trial.validation < best.validation)
    )
      best = trial;
  }
  let final: FinalEvaluation;
  const chosen = best && prepared[best.index - 1];
  if (!best || !chosen || !("prepared" in chosen) || best.bestEpoch === null) {
    final = { status: "not_run", reason: "No trial finished with a validation score, so there is no configuration to evaluate on test." };
  } else {
    final = await input.runFinal(
      { ...chosen.prepared, training: finalTraining(chosen.prepared.training, best.bestEpoch) },
      best,
      chosen.prepared,
    );
  }
  return {
    experiment: "tune",
    search,
    metric,
    trials,
    selected: best?.index ?? null,
    final,
    backend,
    seeds: { training: exercise.seed, split: exercise.seed, search: search.seed ?? exercise.seed },
    trainExamples,
    ...(rungs.length > 1 ? { schedule: rungs } : {}),
    durationMs: Math.max(0, now() - started),
  };
}
