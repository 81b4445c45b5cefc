/**
 * Experiment jobs: a claimed job with purpose `experiment` runs one debugging experiment on the
 * submission's model in a sandboxed child (the same memory cap and hard timeout as grading), on the
 * grader's training data only, and ends in a stored experiment result — never a verdict.
 */
import type { EpochMetrics, ProgressEvent } from "@stepwise/core/contracts";
import { BudgetError, StepwiseError, SubmissionPayload, ValidationError } from "@stepwise/core/contracts";
import { appendLog, appendProgress, assignmentById, datasetByFile, type ClaimedJob } from "@stepwise/db";
import { findExercise, withOverrides } from "@stepwise/exercises";
import { csvText } from "@stepwise/exercises/answers";
import {
  DEFAULT_MAX_SECONDS,
  defaultTrainLimit,
  EXPERIMENTS,
  ExperimentResult,
  type ExperimentName,
} from "@stepwise/exercises/experiments";
import { gradingFacts, loadGradingData, prepareTraining, type GradingData, type PreparedTraining } from "@stepwise/exercises/grading";
import type { GraderConfig } from "./config";
import { GraderFault } from "./grade";
import type { JobContext, JobResult } from "./job-context";
import type { ExperimentRequest } from "./protocol";
import { RESTART_LABEL, runTrainingChild } from "./sandbox";

/** Examples an experiment trains on: as `runExperiment` picks them for the CLI, so both give the same answer. */
function trainLimitFor(name: ExperimentName, prepared: PreparedTraining, config: GraderConfig): number {
  return config.trainLimit ?? defaultTrainLimit(name, prepared);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Student-side problems (a model the experiment cannot use, unreadable data) end the run with a message. */
function studentFault(error: unknown): string | undefined {
  if (error instanceof ValidationError || error instanceof BudgetError) return error.message;
  const fsError = error instanceof Error && "code" in error && typeof error.code === "string" && error.code.startsWith("E");
  if (error instanceof StepwiseError || fsError) return `The dataset could not be read: ${message(error)}`;
  return undefined;
}

/** Runs the debugging experiment a claimed job names; grader faults throw `GraderFault`, as in grading. */
export async function runExperimentJob(claimed: Extract<ClaimedJob, { kind: "experiment" }>, ctx: JobContext): Promise<JobResult> {
  const { experiment } = claimed;
  const outcome = await experimentOutcome(claimed, ctx);
  return { kind: "experiment", experiment, outcome, summary: "result" in outcome ? outcome.result.outcome : "failed" };
}

async function experimentOutcome(claimed: Extract<ClaimedJob, { kind: "experiment" }>, ctx: JobContext): Promise<{ result: ExperimentResult } | { failed: string }> {
  const { submission, job, experiment } = claimed;
  const name = EXPERIMENTS.find((e) => e === experiment);
  if (!name) return { failed: `There is no experiment "${experiment}"; there are ${EXPERIMENTS.join(", ")}.` };
  const payload = SubmissionPayload.safeParse(submission.payload);
  if (!payload.success) return { failed: `The stored submission is malformed (${payload.error.issues[0]?.message ?? "?"}).` };
  const builtIn = findExercise(submission.exerciseId);
  if (!builtIn) return { failed: `Exercise "${submission.exerciseId}" does not exist.` };
  const assignment = await assignmentById(ctx.db, submission.assignmentId);
  const exercise = withOverrides(builtIn, assignment?.overrides ?? {});
  if (exercise.kind !== "training") return { failed: `Experiments examine a trained model; step ${exercise.step} is answered with a form.` };

  const seed = exercise.seed;
  let prepared: PreparedTraining;
  let grading: GradingData | undefined;
  try {
    prepared = prepareTraining(exercise, payload.data, seed);
    if (exercise.dataset.kind === "csv") {
      // Encoded here, as for grading: the child gets training rows and test inputs, the test labels stay behind.
      const uploaded = assignment ? (await datasetByFile(ctx.db, assignment.courseId, exercise.dataset.file))?.csv : undefined;
      const trainLimit = ctx.config.trainLimit ?? exercise.data.trainLimit;
      const slice = { ...(trainLimit !== undefined ? { trainLimit } : {}), testLimit: 10 };
      grading = loadGradingData(exercise.dataset, { slice, seed, cacheDir: ctx.config.cacheDir, csvText: uploaded ?? csvText(exercise.dataset, {}) });
      prepared = prepareTraining(exercise, payload.data, seed, gradingFacts(grading, exercise.dataset).prepare);
    }
  } catch (error) {
    const fault = studentFault(error);
    if (fault !== undefined) return { failed: fault };
    throw error;
  }

  let progress = Promise.resolve();
  const emit = (event: ProgressEvent) => {
    progress = progress.then(() => appendProgress(ctx.db, job.id, event, ctx.now()).then(() => undefined)).catch(() => undefined);
  };
  const history: EpochMetrics[] = [];
  const request: ExperimentRequest = {
    type: "experiment",
    jobId: job.id,
    experiment: name,
    topology: prepared.topology,
    training: prepared.training,
    dataset: prepared.dataset,
    summary: prepared.summary,
    task: { kind: prepared.task.kind, numClasses: Math.max(1, prepared.task.numClasses) },
    seed,
    trainLimit: trainLimitFor(name, prepared, ctx.config),
    // Each training inside the experiment gets the exercise's budget, within the experiments' own cap.
    maxSeconds: Math.min(exercise.budgets.maxSeconds, DEFAULT_MAX_SECONDS),
    backend: ctx.config.backend,
    cacheDir: ctx.config.cacheDir,
    ...(grading?.csv ? { csv: grading.csv.training, featureNames: grading.csv.facts.featureNames } : {}),
  };
  let log = `attempt ${job.attempts}: experiment ${name} on ${exercise.id} (seed ${seed}, ${prepared.summary.totalParams} parameters)\n`;
  try {
    const outcome = await runTrainingChild(request, {
      memoryMb: ctx.config.memoryMb,
      hardTimeoutMs: ctx.config.hardTimeoutMs,
      ...(ctx.pool ? { pool: ctx.pool } : {}),
      signal: ctx.signal,
      onReady: (backend) => {
        ctx.onBackend?.(backend);
        emit({ type: "started", backend, epochs: prepared.training.fit.epochs });
      },
      onEpoch: (metrics, total) => {
        history.push(metrics);
        emit({ type: "epoch", epochs: total, ...metrics });
      },
      onStderr: (text) => (log += text),
      onRestart: () => {
        history.length = 0;
        emit({ type: "run", label: RESTART_LABEL });
      },
    });
    await progress;
    log += `experiment child ended: ${outcome.kind}${"message" in outcome ? `: ${outcome.message}` : ""}\n`;
    switch (outcome.kind) {
      case "experiment": {
        const result = ExperimentResult.safeParse(outcome.result);
        if (!result.success) throw new GraderFault(`the experiment returned a malformed result: ${result.error.issues[0]?.message ?? "?"}`);
        return { result: result.data };
      }
      case "invalid":
        return { failed: outcome.message };
      case "oom":
        return { failed: `The experiment ran out of memory (the grader allows ${ctx.config.memoryMb} MiB): ${outcome.message}. A smaller model needs less.` };
      case "timeout":
        return { failed: `The experiment did not finish within the grader's limit of ${Math.round(ctx.config.hardTimeoutMs / 1000)} s.` };
      case "aborted":
        throw new GraderFault("the experiment was stopped: the job's lease was lost or the grader is shutting down");
      case "error":
        throw new GraderFault(outcome.message);
    }
  } finally {
    await appendLog(ctx.db, job.id, log).catch(() => undefined);
  }
}
