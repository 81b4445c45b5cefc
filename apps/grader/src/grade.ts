import type { DatasetRef, EpochMetrics, ExerciseDefinition, ProgressEvent, Verdict } from "@stepwise/core/contracts";
import { BudgetError, SubmissionPayload, ValidationError } from "@stepwise/core/contracts";
import { appendLog, appendProgress, assignmentById, assignmentsForCourse, datasetByFile, submissionsFor, type ClaimedJob, type Db } from "@stepwise/db";
import { assignmentPolicy, findExercise, withOverrides } from "@stepwise/exercises";
import { csvText, gradeAnswers, uploadedCsv } from "@stepwise/exercises/answers";
import { toolboxPolicy } from "@stepwise/exercises/course";
import {
  datasetErrorVerdict,
  gradingFacts,
  invalidVerdict,
  loadGradingData,
  outOfMemoryVerdict,
  gradeRegularization,
  gradeWithSeeds,
  prepareTraining,
  singleSeedNote,
  timedOutVerdict,
  trainingDataSummary,
  verdictFromRun,
  type GradingData,
  type PreparedTraining,
  type ScoreData,
} from "@stepwise/exercises/grading";
import type { GraderConfig } from "./config";
import { RESTART_LABEL, runTrainingChild, type ChildOutcome, type WarmPool } from "./sandbox";
import { recordStep7Evaluation } from "./test-hygiene";

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

  // A course's uploaded CSV first, then the built-in data directory.
  const uploaded = await courseCsv(ctx.db, assignment?.courseId, exercise.dataset);

  // Steps 1–4 are answers and declared preprocessing: data, not code, so they are graded here
  // in the parent, without a training child.
  if (exercise.kind !== "training") return gradeAnswers(exercise, payload.data, { cacheDir: ctx.config.cacheDir, ...uploaded });

  const seed = exercise.seed;
  // Step 7's techniques (augmentation, early stopping) the instructor allows: others are refused before training.
  const toolbox = toolboxPolicy(assignment?.overrides ?? {}).allowed;
  let prepared: PreparedTraining;
  try {
    prepared = prepareTraining(exercise, payload.data, seed, { toolbox });
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }

  const slice = {
    trainLimit: ctx.config.trainLimit ?? exercise.data.trainLimit,
    testLimit: ctx.config.testLimit ?? exercise.data.testLimit,
  };
  // The hidden test labels stay in this process; a CSV is encoded here and the child gets its
  // training rows and test inputs only.
  let grading: GradingData;
  try {
    const csv = exercise.dataset.kind === "csv" ? (uploaded ?? { csvText: csvText(exercise.dataset, {}) }) : {};
    grading = loadGradingData(exercise.dataset, { slice, seed, cacheDir: ctx.config.cacheDir, ...csv });
  } catch (error) {
    const verdict = datasetErrorVerdict(exercise, error);
    if (verdict) return verdict;
    throw error;
  }
  const { testLabels } = grading;
  const facts = gradingFacts(grading, exercise.dataset);
  try {
    // Now that the data is known: the model's input width and a CSV's classes.
    prepared = prepareTraining(exercise, payload.data, seed, { ...facts.prepare, toolbox });
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
    throw error;
  }
  // The data rules of the checklist read the training examples as the child will be fed them
  // (same loader, slice and seed); no test data is involved.
  const data: ScoreData = {
    ...facts.score,
    training: trainingDataSummary(prepared, { slice, seed, cacheDir: ctx.config.cacheDir, ...(grading.csv ? { csv: grading.csv.training } : {}) }),
  };

  // Progress rows are written in order: each append waits for the one before.
  let progress = Promise.resolve();
  const emit = (event: ProgressEvent) => {
    progress = progress.then(() => appendProgress(ctx.db, job.id, event, ctx.now()).then(() => undefined)).catch(() => undefined);
  };
  // Steps 5 and 6 retrain the model with the assignment's N training seeds (step 7 keeps one).
  const seedCount = assignmentPolicy(assignment?.overrides ?? {}).seeds ?? 1;
  let log = `attempt ${job.attempts}: training ${exercise.id} (seed ${seed}${seedCount > 1 ? `, ${seedCount} training seeds` : ""}, ${prepared.summary.totalParams} parameters)\n`;

  /**
   * One model in one sandboxed child; the run whose curves the student sees streams its epochs.
   * `run`: the training seed and budget of one of N seeds' runs (default the exercise's), and
   * whether this run's end is the one that announces evaluation (the last seed's).
   */
  const trainInChild = async (
    model: PreparedTraining,
    label: string,
    stream: boolean,
    run: { seed: number; maxSeconds: number; evaluating: boolean } = { seed, maxSeconds: exercise.budgets.maxSeconds, evaluating: stream },
    /** Said while a run whose epochs are not streamed trains, so the student's status line does not sit on the last streamed epoch. */
    announce?: string,
  ): Promise<ChildOutcome & { history: EpochMetrics[] }> => {
    const history: EpochMetrics[] = [];
    const epochs = model.training.fit.epochs;
    const outcome = await runTrainingChild(
      {
        type: "train",
        jobId: job.id,
        topology: model.topology,
        training: model.training,
        dataset: model.dataset,
        data: slice,
        seed: run.seed,
        dataSeed: seed,
        maxSeconds: run.maxSeconds,
        task: model.task,
        backend: ctx.config.backend,
        cacheDir: ctx.config.cacheDir,
        ...(grading.csv ? { csv: grading.csv.training } : {}),
      },
      {
        memoryMb: ctx.config.memoryMb,
        hardTimeoutMs: ctx.config.hardTimeoutMs,
        ...(ctx.pool ? { pool: ctx.pool } : {}),
        signal: ctx.signal,
        onReady: (backend) => {
          ctx.onBackend?.(backend);
          if (stream) emit({ type: "started", backend, epochs });
          else if (announce) emit({ type: "run", label: announce });
        },
        onEpoch: (metrics, total) => {
          history.push(metrics);
          if (stream) emit({ type: "epoch", epochs: total, ...metrics });
        },
        onEvaluating: () => {
          if (run.evaluating) emit({ type: "evaluating" });
        },
        onStderr: (text) => (log += text),
        onRestart: () => {
          history.length = 0;
          emit({ type: "run", label: RESTART_LABEL });
        },
      },
    );
    await progress;
    log += `${label}: training child ended: ${outcome.kind} after ${history.length} epoch(s)${"message" in outcome ? `: ${outcome.message}` : ""}\n`;
    return { ...outcome, history };
  };

  /** A child that did not finish → the verdict (or fault) that says why. */
  const ended = (outcome: Exclude<ChildOutcome, { kind: "done" }> & { history: EpochMetrics[] }, model: PreparedTraining): Verdict => {
    switch (outcome.kind) {
      case "aborted":
        throw new GraderFault("training was stopped: the job's lease was lost or the grader is shutting down");
      case "error":
        throw new GraderFault(outcome.message);
      case "invalid":
        return invalidVerdict(outcome.message);
      case "oom":
        return outOfMemoryVerdict({ capMb: ctx.config.memoryMb, detail: outcome.message, largestLayer: largestLayer(model) });
      case "timeout":
        return timedOutVerdict({ limitSeconds: Math.round(ctx.config.hardTimeoutMs / 1000), lastEpoch: outcome.lastEpoch, epochs: model.training.fit.epochs, history: outcome.history });
    }
  };

  try {
    if (exercise.step === 7) {
      const previous = await previousStepModel(ctx.db, { courseId: assignment?.courseId, userId: submission.userId, exercise });
      if (!previous) return invalidVerdict("Step 7 compares against your step-6 model on the same dataset: pass step 6 first.");
      let stoppedEarly: Verdict | null = null;
      const graded = await gradeRegularization({
        exercise,
        payload: payload.data,
        previous,
        testLabels,
        prepare: { ...facts.prepare, toolbox },
        data,
        run: async (model, role) => {
          const outcome = await trainInChild(model, role, role === "after", undefined, STEP7_ANNOUNCE[role]);
          if (outcome.kind === "done") return outcome;
          stoppedEarly = ended(outcome, model);
          throw new RunStopped();
        },
      }).catch((error: unknown) => {
        if (error instanceof RunStopped) return null;
        if (error instanceof ValidationError || error instanceof BudgetError) return invalidVerdict(error.message);
        throw error;
      });
      if (graded === null) return stoppedEarly ?? invalidVerdict("training stopped");
      const verdict = singleSeedNote("stopped" in graded ? verdictFromRun({ exercise, prepared, payload: payload.data, result: graded.stopped, testLabels, data }) : graded, seedCount);
      // Test-set hygiene: record what this test evaluation showed; flag a configuration chosen on its test score.
      const hygiene = await recordStep7Evaluation(ctx.db, { jobId: job.id, prepared, verdict, now: ctx.now() });
      log += hygiene.log;
      return hygiene.verdict;
    }
    // One child per seed, in turn. Progress: the first seed streams its epochs (its curves are the
    // verdict's); "evaluating" comes once, when the last seed's run predicts the test inputs.
    let stoppedEarly: Verdict | null = null;
    const graded = await gradeWithSeeds({
      exercise,
      prepared,
      payload: payload.data,
      testLabels,
      data,
      seeds: seedCount,
      run: async (runSeed, index, maxSeconds) => {
        const label = seedCount > 1 ? `model (training seed ${runSeed}, run ${index + 1} of ${seedCount})` : "model";
        const outcome = await trainInChild(
          prepared,
          label,
          index === 0,
          { seed: runSeed, maxSeconds, evaluating: index === seedCount - 1 },
          `retraining with training seed ${index + 1} of ${seedCount}`,
        );
        if (outcome.kind === "done") return outcome;
        stoppedEarly = ended(outcome, prepared);
        throw new RunStopped();
      },
    }).catch((error: unknown) => {
      if (error instanceof RunStopped) return null;
      throw error;
    });
    return graded ?? stoppedEarly ?? invalidVerdict("training stopped");
  } finally {
    // Logs are capped in the database (appendLog); a failure to write one never loses the verdict.
    await appendLog(ctx.db, job.id, log).catch(() => undefined);
  }
}

class RunStopped extends Error {}

/** Status lines for step 7's three trainings; "after" streams its epochs. */
const STEP7_ANNOUNCE = {
  before: "retraining your step-6 model for the comparison (1 of 3)",
  after: undefined,
  final: "training the final model on training + validation data (3 of 3)",
} as const;

/** The CSV text and split seed of a dataset uploaded into the assignment's course under the dataset's file name, if any. */
async function courseCsv(db: Db, courseId: string | undefined, dataset: DatasetRef): Promise<ReturnType<typeof uploadedCsv> | undefined> {
  if (dataset.kind !== "csv" || !courseId) return undefined;
  const uploaded = await datasetByFile(db, courseId, dataset.file);
  return uploaded ? uploadedCsv(uploaded) : undefined;
}

/** Same data: the same built-in set (IMDB at any encoding), or the same CSV file, target and task. */
function sameData(a: DatasetRef, b: DatasetRef): boolean {
  if (a.kind !== "csv" || b.kind !== "csv") return a.kind === b.kind;
  return a.file === b.file && a.target === b.target && a.task === b.task;
}

/** The student's latest passing step-6 submission on the same dataset in the same course. */
async function previousStepModel(db: Db, input: { courseId: string | undefined; userId: string; exercise: ExerciseDefinition }): Promise<SubmissionPayload | null> {
  if (!input.courseId) return null;
  for (const candidate of await assignmentsForCourse(db, input.courseId)) {
    const builtIn = findExercise(candidate.exerciseId);
    // The step-6 assignment as placed in the course: its dataset may be overridden (an uploaded CSV).
    const step6 = builtIn && withOverrides(builtIn, candidate.overrides);
    if (step6?.step !== 6 || !sameData(step6.dataset, input.exercise.dataset)) continue;
    const passed = (await submissionsFor(db, { assignmentId: candidate.id, userId: input.userId })).find((s) => s.verdict?.status === "passed");
    if (passed) return passed.payload;
  }
  return null;
}

function largestLayer(prepared: PreparedTraining): string | undefined {
  const layer = [...prepared.summary.layers].sort((a, b) => b.params - a.params)[0];
  return layer ? `${layer.className} "${layer.name}" with ${layer.params.toLocaleString("en-US")} parameters` : undefined;
}
