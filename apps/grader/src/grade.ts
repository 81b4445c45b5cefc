import type { EpochMetrics, ProgressEvent, Verdict } from "@stepwise/core/contracts";
import { BudgetError, SubmissionPayload, ValidationError } from "@stepwise/core/contracts";
import { appendLog, appendProgress, assignmentById, type ClaimedJob, type Db } from "@stepwise/db";
import { findExercise, withOverrides } from "@stepwise/exercises";
import { gradeAnswers } from "@stepwise/exercises/answers";
import {
  invalidVerdict,
  loadTestLabels,
  outOfMemoryVerdict,
  prepareTraining,
  timedOutVerdict,
  verdictFromRun,
  type PreparedTraining,
} from "@stepwise/exercises/grading";
import type { GraderConfig } from "./config";
import { runTrainingChild, type WarmPool } from "./sandbox";

/** A fault of the grader, not of the submission: the job is retried with backoff. */
export class GraderFault extends Error {
  override name = "GraderFault";
}

interface GradeContext {
  db: Db;
  config: GraderConfig;
  signal: AbortSignal;
  now: () => number;
  /** Warm training children; a fresh fork per job without it. */
  pool?: WarmPool;
  /** Told which TF.js backend the training child chose. */
  onBackend?: (backend: string) => void;
}

/** Turns one claimed job into a verdict. Submission faults become verdicts; grader faults throw GraderFault. */
export async function gradeClaimedJob(claimed: ClaimedJob, ctx: GradeContext): Promise<Verdict> {
  const { submission, job } = claimed;
  const payload = SubmissionPayload.safeParse(submission.payload);
  if (!payload.success) return invalidVerdict(`the stored submission is malformed (${payload.error.issues[0]?.message ?? "?"}).`);
  const builtIn = findExercise(submission.exerciseId);
  if (!builtIn) return invalidVerdict(`exercise "${submission.exerciseId}" does not exist.`);
  // Budgets the instructor set on the assignment are the ones the student saw and must be held to.
  const assignment = await assignmentById(ctx.db, submission.assignmentId);
  const exercise = withOverrides(builtIn, assignment?.overrides ?? {});

  // Steps 1–4 are answers and declared preprocessing: data, not code, so they are graded here
  // in the parent, without a training child.
  if (exercise.kind !== "training") return gradeAnswers(exercise, payload.data, { cacheDir: ctx.config.cacheDir });

  const seed = exercise.seed;
  let prepared: PreparedTraining;
  try {
    prepared = prepareTraining(exercise, payload.data, seed);
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }

  const slice = {
    trainLimit: ctx.config.trainLimit ?? exercise.data.trainLimit,
    testLimit: ctx.config.testLimit ?? exercise.data.testLimit,
  };
  const testLabels = loadTestLabels(prepared.dataset, { slice, seed, cacheDir: ctx.config.cacheDir });

  // Progress rows are written in order: each append waits for the one before.
  let progress = Promise.resolve();
  const emit = (event: ProgressEvent) => {
    progress = progress.then(() => appendProgress(ctx.db, job.id, event, ctx.now()).then(() => undefined)).catch(() => undefined);
  };
  const history: EpochMetrics[] = [];
  let log = `attempt ${job.attempts}: training ${exercise.id} (seed ${seed}, ${prepared.summary.totalParams} parameters)\n`;
  const epochs = prepared.training.fit.epochs;

  const outcome = await runTrainingChild(
    {
      type: "train",
      jobId: job.id,
      topology: prepared.topology,
      training: prepared.training,
      dataset: prepared.dataset,
      data: slice,
      seed,
      maxSeconds: exercise.budgets.maxSeconds,
      task: prepared.task,
      backend: ctx.config.backend,
      cacheDir: ctx.config.cacheDir,
    },
    {
      memoryMb: ctx.config.memoryMb,
      hardTimeoutMs: ctx.config.hardTimeoutMs,
      ...(ctx.pool ? { pool: ctx.pool } : {}),
      signal: ctx.signal,
      onReady: (backend) => {
        ctx.onBackend?.(backend);
        emit({ type: "started", backend, epochs });
      },
      onEpoch: (metrics, total) => {
        history.push(metrics);
        emit({ type: "epoch", epochs: total, ...metrics });
      },
      onEvaluating: () => emit({ type: "evaluating" }),
      onStderr: (text) => (log += text),
    },
  );
  await progress;
  const epochsDone = history.length;
  log += `training child ended: ${outcome.kind} after ${epochsDone} epoch(s)${"message" in outcome ? `: ${outcome.message}` : ""}\n`;
  // Logs are capped in the database (appendLog); a failure to write one never loses the verdict.
  await appendLog(ctx.db, job.id, log).catch(() => undefined);

  switch (outcome.kind) {
    case "aborted":
      throw new GraderFault("training was stopped: the job's lease was lost or the grader is shutting down");
    case "error":
      throw new GraderFault(outcome.message);
    case "invalid":
      return invalidVerdict(outcome.message);
    case "oom":
      return outOfMemoryVerdict({ capMb: ctx.config.memoryMb, detail: outcome.message, largestLayer: largestLayer(prepared) });
    case "timeout":
      return timedOutVerdict({ limitSeconds: Math.round(ctx.config.hardTimeoutMs / 1000), lastEpoch: outcome.lastEpoch, epochs, history });
    case "done":
      return verdictFromRun({ exercise, prepared, payload: payload.data, result: outcome, testLabels });
  }
}

function largestLayer(prepared: PreparedTraining): string | undefined {
  const layer = [...prepared.summary.layers].sort((a, b) => b.params - a.params)[0];
  return layer ? `${layer.className} "${layer.name}" with ${layer.params.toLocaleString("en-US")} parameters` : undefined;
}
