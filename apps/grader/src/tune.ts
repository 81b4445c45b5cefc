/**
 * Tuning jobs: an experiment job named `tune` runs the search stored with it on the submission's
 * step-7 model. Selection: one sandboxed child per trial, each on training examples only, scored on
 * the validation split. Final: the selected configuration is retrained on train+validation in a
 * grading child, which predicts the test inputs; this process scores the predictions against the
 * hidden test labels — loaded here, only now — after reserving one of the student's test evaluations.
 * The outcome is stored as the job's experiment result: compute budget, never an attempt.
 */
import { BudgetError, ValidationError, type TrainingReport } from "@stepwise/core/contracts";
import { datasetKey, type TimedTraining } from "@stepwise/core/model";
import {
  recordTestEvaluationResult,
  reserveTestEvaluation,
  testEvaluationLimitMessage,
  testEvaluationsUsed,
  type ClaimedJob,
} from "@stepwise/db";
import { toolboxPolicy } from "@stepwise/exercises/course";
import { loadTestLabels, type GradingData, type PreparedTraining, type PrepareOptions } from "@stepwise/exercises/grading";
import {
  FINAL_LABEL,
  runTuning,
  scoreFinal,
  stopReasonText,
  trialLabel,
  TuningSearch,
  TUNE_EXPERIMENT,
  type FinalEvaluation,
  type TuningResult,
  type TrialOutcome,
} from "@stepwise/exercises/tuning";
import type { GraderConfig } from "./config";
import { childFailure, datasetProblem, decisionsNote, GraderFault, resolveJob, type JobContext, type JobResult } from "./job-context";
import { TrialResult } from "./protocol";
import { RESTART_LABEL, runTrainingChild, type ExperimentChildOutcome } from "./sandbox";
import { configFingerprint } from "./test-hygiene";

/** What the grader stores for a tuning job: the search's result, or why it could not run. */
type TuningOutcome = { result: TuningResult } | { failed: string };

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const isStudentFault = (error: unknown) => error instanceof ValidationError || error instanceof BudgetError;

/** A search the student wrote that does not parse: the first problem, with its path, what was expected and what came. */
function searchProblem(raw: unknown): string | undefined {
  const parsed = TuningSearch.safeParse(raw);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `The search is not valid at ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "?"}.`;
}

/** How a trial's child ended, as the runner needs it. Faults of the grader throw, and the job is retried. */
function trialOutcome(outcome: ExperimentChildOutcome, config: GraderConfig): TrialOutcome {
  if (outcome.kind !== "experiment") return { failed: childFailure(outcome, "This trial", config) };
  const parsed = TrialResult.safeParse(outcome.result);
  if (!parsed.success) throw new GraderFault(`a tuning trial returned a malformed result: ${parsed.error.issues[0]?.message ?? "?"}`);
  return parsed.data;
}

/**
 * A completed training as the speed correction learns from it: the dataset it trained on (`dataset`,
 * a `datasetKey`), the job it was part of, the prepared model's multiply-adds, the work of each epoch
 * (`validated`: a trial's split of `examples` into trained and validated; the final model trains on
 * all of them), the epochs it ran, the test inputs it predicted afterwards and its wall time. Null for
 * K-fold (its history is a mean over folds) and for a training that ran no epoch.
 */
export function timedTraining(
  run: { dataset: string; job: string },
  prepared: PreparedTraining,
  ran: { report: TrainingReport; wallMs: number; predicted: number },
  examples: number,
  validated: boolean,
): TimedTraining | null {
  const { report } = ran;
  if (report.kfold || report.history.length === 0 || examples <= 0) return null;
  const { batchSize, validationSplit } = prepared.training.fit;
  const train = validated ? Math.round(examples * (1 - validationSplit)) : examples;
  return {
    ...run,
    trainingFlopsPerExample: prepared.summary.trainingFlopsPerExample,
    work: { train, evaluate: examples - train, batchSize },
    epochs: report.history.length,
    predicted: ran.predicted,
    wallSeconds: ran.wallMs / 1000,
  };
}

/** Runs the tuning search a claimed job carries; grader faults throw `GraderFault`, as in grading. */
export async function runTuningJob(claimed: Extract<ClaimedJob, { kind: "tune" }>, ctx: JobContext): Promise<JobResult> {
  const outcome = await tuningOutcome(claimed, ctx);
  const summary =
    "result" in outcome
      ? `${outcome.result.trials.length} trial(s), selected ${outcome.result.selected ?? "none"}, final ${outcome.result.final.status}`
      : "failed";
  return { kind: "experiment", experiment: TUNE_EXPERIMENT, outcome, summary };
}

async function tuningOutcome(claimed: Extract<ClaimedJob, { kind: "tune" }>, ctx: JobContext): Promise<TuningOutcome> {
  const { submission, job } = claimed;
  const resolved = await resolveJob(claimed, ctx);
  if ("problem" in resolved) return { failed: resolved.problem };
  const { exercise, assignment, payload } = resolved;
  if (!assignment) return { failed: `The assignment of submission "${submission.id}" no longer exists.` };
  if (exercise.kind !== "training" || exercise.step !== 7) {
    return { failed: `Tuning runs on step 7 (regularize and tune); this assignment is step ${exercise.step}.` };
  }
  // The policy in force when the run starts: an instructor may have turned tuning off since it was queued.
  const toolbox = toolboxPolicy(assignment.overrides);
  if (!toolbox.allowed.includes("tuning")) {
    return {
      failed: `Your instructor has not allowed tuning on this assignment; allowed techniques: ${toolbox.allowed.join(", ") || "none"}.`,
    };
  }
  const raw = claimed.search;
  if (raw === null) return { failed: "This tuning run has no search stored with it." };
  const problem = searchProblem(raw);
  if (problem !== undefined) return { failed: problem };
  const search = TuningSearch.parse(raw);

  const seed = exercise.seed;
  const { slice } = resolved;
  // A CSV is encoded here (its test labels come with it and stay in this process until the final
  // phase); MNIST and IMDB test labels are not even loaded until then.
  let data: { grading?: GradingData; prepare: PrepareOptions };
  try {
    data = await resolved.csvData(slice);
  } catch (error) {
    const problem = datasetProblem(error);
    if (problem !== undefined) return { failed: problem };
    throw error;
  }
  const { grading } = data;
  const prepare: PrepareOptions = { ...data.prepare, toolbox: toolbox.allowed };
  const { emit } = resolved;
  let started = false;
  const onReady = (backend: string, epochs: number) => {
    ctx.onBackend?.(backend);
    if (!started) emit({ type: "started", backend, epochs });
    started = true;
  };
  const child = {
    memoryMb: ctx.config.memoryMb,
    hardTimeoutMs: ctx.config.hardTimeoutMs,
    ...(ctx.pool ? { pool: ctx.pool } : {}),
    signal: ctx.signal,
    onRestart: () => emit({ type: "run", label: RESTART_LABEL }),
  };
  // One trial and the final model train the same way: the prepared model on the slice, with the
  // exercise's seed for both the training and the validation split.
  const runOf = (prepared: PreparedTraining) => ({
    jobId: job.id,
    topology: prepared.topology,
    training: prepared.training,
    dataset: prepared.dataset,
    data: slice,
    seed,
    dataSeed: seed,
    maxSeconds: exercise.budgets.maxSeconds,
    task: { kind: prepared.task.kind, numClasses: Math.max(1, prepared.task.numClasses) },
    backend: ctx.config.backend,
    cacheDir: ctx.config.cacheDir,
    ...(grading?.csv ? { csv: grading.csv.training } : {}),
    ...(resolved.imageScaling ? { scaling: resolved.imageScaling } : {}),
  });
  // Training examples of the slice (train+validation): what the final model trains on.
  let trainExamples = 0;
  // Every completed training tells the speed correction how the calibration compares with real work
  // on this dataset; the web app keys its estimate by the same assignment.
  const timed = { dataset: datasetKey(exercise.dataset, assignment.courseId), job: job.id };
  const observe = (run: TimedTraining | null) => {
    if (run) ctx.onTrained?.(run);
  };
  resolved.log(
    `attempt ${job.attempts}: tuning ${exercise.id} (${search.strategy}, ${search.trials} trial(s), seed ${seed})${decisionsNote(resolved.decisions)}\n`,
  );

  try {
    const result = await runTuning({
      exercise,
      payload,
      search,
      maxTrials: toolbox.tuningTrials,
      prepare,
      now: ctx.now,
      runTrial: async (prepared, info) => {
        const label = trialLabel(info);
        emit({ type: "run", label });
        const outcome = await runTrainingChild(
          { type: "tune-trial", ...runOf(prepared) },
          {
            ...child,
            onReady: (backend) => onReady(backend, prepared.training.fit.epochs),
            onEpoch: (metrics, total) => emit({ type: "epoch", epochs: total, ...metrics }),
            onStderr: (text) => resolved.log(text),
          },
        );
        await resolved.progressWritten();
        resolved.log(`${label}: child ended: ${outcome.kind}${"message" in outcome ? `: ${outcome.message}` : ""}\n`);
        const trial = trialOutcome(outcome, ctx.config);
        // Only an "experiment" outcome carries a trial's result (and the run's cost); a trial predicts no test input.
        if ("trainExamples" in trial && outcome.kind === "experiment") {
          trainExamples = trial.trainExamples;
          observe(timedTraining(timed, prepared, { report: trial.report, wallMs: outcome.wallMs, predicted: 0 }, trainExamples, true));
        }
        return trial;
      },
      runFinal: async (prepared, selected, chosen): Promise<FinalEvaluation> => {
        const limit = toolbox.testEvaluations;
        const key = { assignmentId: assignment.id, userId: submission.userId };
        // Looked at before the final training, so a student with no evaluation left spends no compute on it.
        const used = await testEvaluationsUsed(ctx.db, key.assignmentId, key.userId);
        if (used >= limit)
          return {
            status: "not_run",
            reason: `Final test evaluation not run: ${testEvaluationLimitMessage(used, limit)}`,
            evaluations: { used, limit },
          };
        emit({ type: "run", label: FINAL_LABEL });
        const epochs = prepared.training.fit.epochs;
        const outcome = await runTrainingChild(
          { type: "train", ...runOf(prepared) },
          {
            ...child,
            onReady: (backend) => onReady(backend, epochs),
            onEpoch: (metrics, total) => emit({ type: "epoch", epochs: total, ...metrics }),
            onEvaluating: () => emit({ type: "evaluating" }),
            onStderr: (text) => resolved.log(text),
          },
        );
        await resolved.progressWritten();
        resolved.log(`final model: child ended: ${outcome.kind}${"message" in outcome ? `: ${outcome.message}` : ""}\n`);
        if (outcome.kind !== "done")
          return {
            status: "not_run",
            reason: `The final model was not evaluated: ${childFailure(outcome, "The final model", ctx.config)}`,
          };
        observe(timedTraining(timed, prepared, { ...outcome, predicted: outcome.predictions.length }, trainExamples, false));
        const stopped = stopReasonText(outcome.report, exercise.budgets.maxSeconds);
        if (stopped !== undefined) return { status: "not_run", reason: `The final model did not finish training: ${stopped}` };

        // The test set is touched only now, and only with a reservation: atomic against the student's
        // concurrent gradings and searches, and granted again (not counted twice) to a retried job.
        const reservation = await reserveTestEvaluation(ctx.db, {
          ...key,
          source: "tuning",
          submissionId: submission.id,
          jobId: job.id,
          limit,
          now: ctx.now(),
        });
        if (!reservation.ok) {
          return {
            status: "not_run",
            reason: `Final test evaluation not run: ${testEvaluationLimitMessage(reservation.used, limit)}`,
            evaluations: { used: reservation.used, limit },
          };
        }
        const testLabels = grading?.testLabels ?? loadTestLabels(exercise.dataset, { slice, seed, cacheDir: ctx.config.cacheDir });
        const final = scoreFinal({
          predictions: outcome.predictions,
          testLabels,
          task: prepared.task,
          epochs,
          trainExamples,
          seconds: outcome.report.durationMs / 1000,
          evaluations: { used: reservation.used, limit },
        });
        if (final.status === "evaluated") {
          const recorded = await recordTestEvaluationResult(ctx.db, reservation.id, {
            validationMetric: selected.validation,
            validationMetricName: prepared.task.kind === "regression" ? "valLoss" : "valAccuracy",
            testMetric: final.test,
            higherIsBetter: prepared.task.kind !== "regression",
            // The configuration as the student would submit it (the selected trial's), so a later submission of it matches.
            configKey: configFingerprint(chosen),
            now: ctx.now(),
          }).catch((error: unknown) => {
            resolved.log(`could not record the test evaluation: ${message(error)}\n`);
            return null;
          });
          if (recorded?.flag) resolved.log("test evaluation flagged: selected on test\n");
        }
        return final;
      },
    });
    resolved.log(`tuning done: ${result.trials.length} trial(s), selected ${result.selected ?? "none"}, final ${result.final.status}\n`);
    return { result };
  } catch (error) {
    if (isStudentFault(error)) return { failed: message(error) };
    throw error;
  } finally {
    await resolved.flushLog();
  }
}
