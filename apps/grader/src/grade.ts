import type { EpochMetrics, ProgressEvent, Verdict } from "@stepwise/core/contracts";
import { datasetKey, estimateTrainingSeconds } from "@stepwise/core/model";
import type { ClaimedJob } from "@stepwise/db";
import { assignmentPolicy } from "@stepwise/exercises";
import { gradeAnswers } from "@stepwise/exercises/answers";
import { toolboxPolicy } from "@stepwise/exercises/course";
import {
  datasetErrorVerdict,
  gradeSubmission,
  invalidVerdict,
  outOfMemoryVerdict,
  timedOutVerdict,
  trainingRowsOf,
  type CsvContent,
  type GradingRun,
} from "@stepwise/exercises/grading";
import { cpuLimitMs } from "./config";
import { childFailure, decisionsNote, previousStepModel, resolveJob, type JobContext } from "./job-context";
import { GradingEta } from "./progress-eta";
import { RESTART_LABEL, runTrainingChild, type ChildOutcome, type RunCost } from "./sandbox";
import { recordStep7Evaluation } from "./test-hygiene";
import { timedTraining } from "./tune";

export { GraderFault } from "./job-context";

/**
 * Turns one claimed job into a verdict: `gradeSubmission` with every training in a sandboxed child.
 * Submission faults become verdicts; grader faults throw GraderFault.
 */
export async function gradeClaimedJob(claimed: ClaimedJob, ctx: JobContext): Promise<Verdict> {
  const { submission, job } = claimed;
  const resolved = await resolveJob(claimed, ctx);
  if ("problem" in resolved) return invalidVerdict(resolved.problem);
  const { exercise, overrides, payload, slice } = resolved;

  // Steps 1–4 are answers and declared preprocessing: data, not code, so they are graded here
  // in the parent, without a training child.
  if (exercise.kind !== "training") {
    let csv: CsvContent | undefined;
    try {
      csv = exercise.dataset.kind === "csv" ? await resolved.readCsv() : undefined;
    } catch (error) {
      const verdict = datasetErrorVerdict(exercise, error);
      if (verdict) return verdict;
      throw error;
    }
    return gradeAnswers(exercise, payload, {
      cacheDir: ctx.config.cacheDir,
      ...(csv !== undefined ? { csvText: csv.text, csvSplitSeed: csv.splitSeed } : {}),
    });
  }

  // Steps 5 and 6 retrain the model with the assignment's N training seeds (step 7 keeps one).
  const seedCount = assignmentPolicy(overrides).seeds ?? 1;
  const previous =
    exercise.step === 7 ? await previousStepModel(ctx.db, { assignment: resolved.assignment, userId: submission.userId }) : undefined;
  const { decisions } = resolved;

  const costs: RunCost[] = [];
  // Every completed training tells the speed correction how the calibration compares with real work on
  // this dataset, as tuning trials do: a grader's first search is then estimated with what its gradings taught.
  const timed = { dataset: datasetKey(exercise.dataset, resolved.assignment?.courseId ?? ""), job: job.id };
  // The student's status line: the phase, the run and epoch, and the time left (from the first run's plan).
  let eta: GradingEta | null = null;
  const phase = (fields: Omit<Extract<ProgressEvent, { type: "phase" }>, "type" | "at" | "etaSeconds">) => {
    const left = eta?.secondsLeft() ?? null;
    resolved.emit({ type: "phase", ...fields, ...(left !== null ? { etaSeconds: Math.round(left) } : {}), at: ctx.now() });
  };
  phase({ phase: "preparing" });

  /** One model in one sandboxed child; the run whose curves the student sees streams its epochs. */
  const trainInChild = async (run: GradingRun): Promise<ChildOutcome & { history: EpochMetrics[] }> => {
    const history: EpochMetrics[] = [];
    const { prepared, place } = run;
    const rows = trainingRows(run);
    eta ??= new GradingEta({ runs: place.count, secondsPerEpoch: calibratedEpochSeconds(run, rows, ctx.gflops?.() ?? null) }, ctx.now);
    const tracker = eta;
    const training = (epoch: number, epochs: number) =>
      phase({ phase: "training", run: place.index, runs: place.count, label: place.title, epoch, epochs });
    const outcome = await runTrainingChild(
      {
        type: "train",
        jobId: job.id,
        topology: prepared.topology,
        training: prepared.training,
        dataset: prepared.dataset,
        data: run.slice,
        seed: run.seed,
        dataSeed: run.dataSeed,
        maxSeconds: run.maxSeconds,
        task: prepared.task,
        backend: ctx.config.backend,
        cacheDir: ctx.config.cacheDir,
        ...(run.csv ? { csv: run.csv } : {}),
        ...(run.scaling ? { scaling: run.scaling } : {}),
      },
      {
        memoryMb: ctx.config.memoryMb,
        hardTimeoutMs: ctx.config.hardTimeoutMs,
        cpuLimitMs: cpuLimitMs(ctx.config, run.maxSeconds),
        ...(ctx.pool ? { pool: ctx.pool } : {}),
        signal: ctx.signal,
        onReady: (backend) => {
          ctx.onBackend?.(backend);
          tracker.startRun(place.index, prepared.training.fit.epochs);
          training(0, prepared.training.fit.epochs);
          if (run.streams) resolved.emit({ type: "started", backend, epochs: prepared.training.fit.epochs });
          else if (run.announce) resolved.emit({ type: "run", label: run.announce });
        },
        onEpoch: (metrics, total) => {
          history.push(metrics);
          tracker.epochDone(metrics.epoch, total);
          training(metrics.epoch, total);
          if (run.streams) resolved.emit({ type: "epoch", epochs: total, ...metrics });
        },
        onEvaluating: () => {
          if (!run.evaluating) return;
          resolved.emit({ type: "evaluating" });
          phase({ phase: "evaluating" });
        },
        onStderr: (text) => resolved.log(text),
        onRestart: () => {
          history.length = 0;
          resolved.emit({ type: "run", label: RESTART_LABEL });
        },
      },
    );
    await resolved.progressWritten();
    if ("cpuMs" in outcome) costs.push({ cpuMs: outcome.cpuMs, wallMs: outcome.wallMs });
    // The run's prepared split says what it trained and validated on (the final model's is 0).
    const trained =
      outcome.kind === "done" ? timedTraining(timed, prepared, { ...outcome, predicted: outcome.predictions.length }, rows, true) : null;
    if (trained) ctx.onTrained?.(trained);
    const spent = "cpuMs" in outcome ? ` (${seconds(outcome.cpuMs)} s CPU, ${seconds(outcome.wallMs)} s wall)` : "";
    resolved.log(
      `${run.label}: training child ended: ${outcome.kind} after ${history.length} epoch(s)${spent}${"message" in outcome ? `: ${outcome.message}` : ""}\n`,
    );
    return { ...outcome, history };
  };

  try {
    const verdict = await gradeSubmission({
      exercise,
      payload,
      slice,
      cacheDir: ctx.config.cacheDir,
      readCsv: resolved.readCsv,
      seeds: seedCount,
      // Step 7's techniques (augmentation, early stopping) the instructor allows: others are refused before training.
      toolbox: toolboxPolicy(overrides).allowed,
      ...(previous ? { previous: previous.payload, ...(previous.run ? { previousRun: previous.run } : {}) } : {}),
      ...(decisions ? { decisions } : {}),
      // Runs are recorded with their verdict, and step 7 reuses the step-6 run, only on the same backend.
      runtime: { backend: ctx.config.backend },
      onPrepared: (prepared) =>
        resolved.log(
          `attempt ${job.attempts}: training ${exercise.id} (seed ${exercise.seed}${seedCount > 1 ? `, ${seedCount} training seeds` : ""}, ${prepared.summary.totalParams} parameters)${decisionsNote(decisions)}\n`,
        ),
      // Test-set hygiene: record what this test evaluation showed; flag a configuration chosen on its test score.
      onStep7Verdict: async (verdict, prepared) => {
        const hygiene = await recordStep7Evaluation(ctx.db, { jobId: job.id, prepared, verdict, now: ctx.now() });
        resolved.log(hygiene.log);
        return hygiene.verdict;
      },
      run: async (run) => {
        const outcome = await trainInChild(run);
        if (outcome.kind === "done") return outcome;
        const message = childFailure(outcome, "The model", ctx.config);
        if (outcome.kind === "oom")
          return {
            stopped: outOfMemoryVerdict({
              capMb: ctx.config.memoryMb,
              detail: outcome.message,
              summary: run.prepared.summary,
              batchSize: run.prepared.training.fit.batchSize,
            }),
          };
        if (outcome.kind === "timeout") {
          const limitMs = outcome.clock === "cpu" ? cpuLimitMs(ctx.config, run.maxSeconds) : ctx.config.hardTimeoutMs;
          return {
            stopped: timedOutVerdict({
              limitSeconds: Math.round(limitMs / 1000),
              lastEpoch: outcome.lastEpoch,
              epochs: run.prepared.training.fit.epochs,
              history: outcome.history,
            }),
          };
        }
        return { stopped: invalidVerdict(message) };
      },
    });
    return withCost(verdict, costs, exercise.budgets.maxSeconds);
  } finally {
    await resolved.flushLog();
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** Rows `run` trains and validates on: its CSV table's training rows (encoded by the grader, already within the slice), or its slice of a built-in dataset. */
function trainingRows(run: GradingRun): number {
  if (run.csv) return run.csv.trainLabels.length;
  return trainingRowsOf(run.prepared.dataset.kind, undefined, run.slice.trainLimit);
}

/** One epoch of `run` (`rows` before its validation split) by the grader's published speed, seconds; null without a calibration. */
function calibratedEpochSeconds(run: GradingRun, rows: number, gflops: number | null): number | null {
  if (gflops === null || rows <= 0) return null;
  const examples = Math.round(rows * (1 - run.prepared.training.fit.validationSplit));
  return estimateTrainingSeconds(run.prepared.summary, { examples, epochs: 1, gflops });
}

/**
 * The verdict with what its trainings cost: CPU time (what the budget counts) and wall-clock time,
 * in its environment, and in its summary when it timed out, so the student sees which clock ran out.
 */
export function withCost(verdict: Verdict, costs: readonly RunCost[], budgetSeconds: number): Verdict {
  if (costs.length === 0) return verdict;
  const cpuMs = costs.reduce((sum, cost) => sum + cost.cpuMs, 0);
  const wallMs = costs.reduce((sum, cost) => sum + cost.wallMs, 0);
  const environment = verdict.environment ? { environment: { ...verdict.environment, durationMs: wallMs, cpuMs, budgetSeconds } } : {};
  if (verdict.status !== "timed_out") return { ...verdict, ...environment };
  const note = ` Training used ${seconds(cpuMs)} s of CPU time (budget ${budgetSeconds} s) in ${seconds(wallMs)} s of wall-clock time.`;
  const [check, ...rest] = verdict.checks;
  return {
    ...verdict,
    ...environment,
    summary: `${verdict.summary}${note}`,
    checks: check ? [{ ...check, message: `${check.message}${note}` }, ...rest] : verdict.checks,
  };
}
