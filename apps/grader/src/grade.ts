import type { EpochMetrics, Verdict } from "@stepwise/core/contracts";
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
  type CsvContent,
  type GradingRun,
  type PreparedTraining,
} from "@stepwise/exercises/grading";
import { childFailure, previousStepModel, resolveJob, type JobContext } from "./job-context";
import { RESTART_LABEL, runTrainingChild, type ChildOutcome } from "./sandbox";
import { recordStep7Evaluation } from "./test-hygiene";

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
    return gradeAnswers(exercise, payload, { cacheDir: ctx.config.cacheDir, ...(csv !== undefined ? { csvText: csv.text, csvSplitSeed: csv.splitSeed } : {}) });
  }

  // Steps 5 and 6 retrain the model with the assignment's N training seeds (step 7 keeps one).
  const seedCount = assignmentPolicy(overrides).seeds ?? 1;
  const previous = exercise.step === 7 ? await previousStepModel(ctx.db, { assignment: resolved.assignment, userId: submission.userId }) : undefined;

  /** One model in one sandboxed child; the run whose curves the student sees streams its epochs. */
  const trainInChild = async (run: GradingRun): Promise<ChildOutcome & { history: EpochMetrics[] }> => {
    const history: EpochMetrics[] = [];
    const { prepared } = run;
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
      },
      {
        memoryMb: ctx.config.memoryMb,
        hardTimeoutMs: ctx.config.hardTimeoutMs,
        ...(ctx.pool ? { pool: ctx.pool } : {}),
        signal: ctx.signal,
        onReady: (backend) => {
          ctx.onBackend?.(backend);
          if (run.streams) resolved.emit({ type: "started", backend, epochs: prepared.training.fit.epochs });
          else if (run.announce) resolved.emit({ type: "run", label: run.announce });
        },
        onEpoch: (metrics, total) => {
          history.push(metrics);
          if (run.streams) resolved.emit({ type: "epoch", epochs: total, ...metrics });
        },
        onEvaluating: () => {
          if (run.evaluating) resolved.emit({ type: "evaluating" });
        },
        onStderr: (text) => resolved.log(text),
        onRestart: () => {
          history.length = 0;
          resolved.emit({ type: "run", label: RESTART_LABEL });
        },
      },
    );
    await resolved.progressWritten();
    resolved.log(`${run.label}: training child ended: ${outcome.kind} after ${history.length} epoch(s)${"message" in outcome ? `: ${outcome.message}` : ""}\n`);
    return { ...outcome, history };
  };

  try {
    return await gradeSubmission({
      exercise,
      payload,
      slice,
      cacheDir: ctx.config.cacheDir,
      readCsv: resolved.readCsv,
      seeds: seedCount,
      // Step 7's techniques (augmentation, early stopping) the instructor allows: others are refused before training.
      toolbox: toolboxPolicy(overrides).allowed,
      ...(previous ? { previous: previous.payload, ...(previous.run ? { previousRun: previous.run } : {}) } : {}),
      // Runs are recorded with their verdict, and step 7 reuses the step-6 run, only on the same backend.
      runtime: { backend: ctx.config.backend },
      onPrepared: (prepared) =>
        resolved.log(`attempt ${job.attempts}: training ${exercise.id} (seed ${exercise.seed}${seedCount > 1 ? `, ${seedCount} training seeds` : ""}, ${prepared.summary.totalParams} parameters)\n`),
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
        if (outcome.kind === "oom") return { stopped: outOfMemoryVerdict({ capMb: ctx.config.memoryMb, detail: outcome.message, largestLayer: largestLayer(run.prepared) }) };
        if (outcome.kind === "timeout") {
          const limitSeconds = Math.round(ctx.config.hardTimeoutMs / 1000);
          return { stopped: timedOutVerdict({ limitSeconds, lastEpoch: outcome.lastEpoch, epochs: run.prepared.training.fit.epochs, history: outcome.history }) };
        }
        return { stopped: invalidVerdict(message) };
      },
    });
  } finally {
    await resolved.flushLog();
  }
}

function largestLayer(prepared: PreparedTraining): string | undefined {
  const layer = [...prepared.summary.layers].sort((a, b) => b.params - a.params)[0];
  return layer ? `${layer.className} "${layer.name}" with ${layer.params.toLocaleString("en-US")} parameters` : undefined;
}
