/**
 * Experiment jobs: a claimed job with purpose `experiment` runs one debugging experiment on the
 * submission's model in a sandboxed child (the same memory cap and hard timeout as grading), on the
 * grader's training data only, and ends in a stored experiment result — never a verdict.
 */
import { BudgetError, ValidationError } from "@stepwise/core/contracts";
import type { ClaimedJob } from "@stepwise/db";
import {
  DEFAULT_MAX_SECONDS,
  defaultTrainLimit,
  EXPERIMENTS,
  ExperimentResult,
  type ExperimentName,
} from "@stepwise/exercises/experiments";
import { prepareTraining, type GradingData, type PreparedTraining } from "@stepwise/exercises/grading";
import type { GraderConfig } from "./config";
import { childFailure, datasetProblem, decisionsNote, GraderFault, resolveJob, type JobContext, type JobResult } from "./job-context";
import type { ExperimentRequest } from "./protocol";
import { RESTART_LABEL, runTrainingChild } from "./sandbox";

/** Examples an experiment trains on: as `runExperiment` picks them for the CLI, so both give the same answer. */
function trainLimitFor(name: ExperimentName, prepared: PreparedTraining, config: GraderConfig): number {
  return config.trainLimit ?? defaultTrainLimit(name, prepared);
}

/** Student-side problems (a model the experiment cannot use, unreadable data) end the run with a message. */
function studentFault(error: unknown): string | undefined {
  if (error instanceof ValidationError || error instanceof BudgetError) return error.message;
  return datasetProblem(error);
}

/** Runs the debugging experiment a claimed job names; grader faults throw `GraderFault`, as in grading. */
export async function runExperimentJob(claimed: Extract<ClaimedJob, { kind: "experiment" }>, ctx: JobContext): Promise<JobResult> {
  const { experiment } = claimed;
  const outcome = await experimentOutcome(claimed, ctx);
  return { kind: "experiment", experiment, outcome, summary: "result" in outcome ? outcome.result.outcome : "failed" };
}

async function experimentOutcome(
  claimed: Extract<ClaimedJob, { kind: "experiment" }>,
  ctx: JobContext,
): Promise<{ result: ExperimentResult } | { failed: string }> {
  const { job, experiment } = claimed;
  const name = EXPERIMENTS.find((e) => e === experiment);
  if (!name) return { failed: `There is no experiment "${experiment}"; there are ${EXPERIMENTS.join(", ")}.` };
  const resolved = await resolveJob(claimed, ctx);
  if ("problem" in resolved) return { failed: resolved.problem };
  const { exercise, payload } = resolved;
  if (exercise.kind !== "training")
    return { failed: `Experiments examine a trained model; step ${exercise.step} is answered with a form.` };

  const seed = exercise.seed;
  let prepared: PreparedTraining;
  let grading: GradingData | undefined;
  try {
    // A CSV is encoded here, as for grading: the child gets training rows and test inputs, the test labels stay behind.
    const { trainLimit } = resolved.slice;
    const data = await resolved.csvData({ ...(trainLimit !== undefined ? { trainLimit } : {}), testLimit: 10 });
    grading = data.grading;
    prepared = prepareTraining(exercise, payload, seed, data.prepare);
  } catch (error) {
    const fault = studentFault(error);
    if (fault !== undefined) return { failed: fault };
    throw error;
  }

  const { emit } = resolved;
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
    ...(resolved.imageScaling ? { scaling: resolved.imageScaling } : {}),
  };
  resolved.log(
    `attempt ${job.attempts}: experiment ${name} on ${exercise.id} (seed ${seed}, ${prepared.summary.totalParams} parameters)${decisionsNote(resolved.decisions)}\n`,
  );
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
      onEpoch: (metrics, total) => emit({ type: "epoch", epochs: total, ...metrics }),
      onStderr: (text) => resolved.log(text),
      onRestart: () => emit({ type: "run", label: RESTART_LABEL }),
    });
    await resolved.progressWritten();
    resolved.log(`experiment child ended: ${outcome.kind}${"message" in outcome ? `: ${outcome.message}` : ""}\n`);
    if (outcome.kind !== "experiment") return { failed: childFailure(outcome, "The experiment", ctx.config) };
    const result = ExperimentResult.safeParse(outcome.result);
    if (!result.success) throw new GraderFault(`the experiment returned a malformed result: ${result.error.issues[0]?.message ?? "?"}`);
    return { result: result.data };
  } finally {
    await resolved.flushLog();
  }
}
