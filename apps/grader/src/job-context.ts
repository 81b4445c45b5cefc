/**
 * What every claimed job shares, whatever it asks for (a grading, a debugging experiment, a tuning
 * search): the exercise as the assignment places it, the dataset it means, the job's progress rows
 * and log, and what a training child that ended without a result means to the student.
 */
import {
  describeDecisions,
  type DataSlice,
  type ExerciseDefinition,
  type ProgressEvent,
  type ProjectDecisions,
  type SubmissionPayload,
  type Verdict,
} from "@stepwise/core/contracts";
import type { InputScaling } from "@stepwise/core/datasets";
import type { TimedTraining } from "@stepwise/core/model";
import {
  appendLog,
  appendProgress,
  type Assignment,
  assignmentById,
  type ClaimedJob,
  datasetByFile,
  type Db,
  previousStepSubmission,
  projectDecisions as projectStepDecisions,
  submissionsFor,
} from "@stepwise/db";
import { assignmentPlace, findExercise } from "@stepwise/exercises";
import { resolveCsv } from "@stepwise/exercises/answers";
import {
  gradingFacts,
  isDatasetReadError,
  loadGradingData,
  placedExercise,
  scalingFor,
  type CsvContent,
  type GradingData,
  type PrepareOptions,
  type RunRecord,
} from "@stepwise/exercises/grading";
import type { ExperimentResult } from "@stepwise/exercises/experiments";
import type { TuningResult } from "@stepwise/exercises/tuning";
import type { GraderConfig } from "./config";
import type { ChildOutcome, WarmPool } from "./sandbox";

/** A fault of the grader, not of the submission: the job is retried with backoff. */
export class GraderFault extends Error {
  override name = "GraderFault";
}

/** The grader's side of one claimed job: its database, configuration, lease and training children. */
export interface JobContext {
  db: Db;
  config: GraderConfig;
  /** Aborted when the job's lease is lost or the grader shuts down. */
  signal: AbortSignal;
  now: () => number;
  /** Warm training children; a fresh fork per run without it. */
  pool?: WarmPool;
  /** Told which TF.js backend the training child chose. */
  onBackend?: (backend: string) => void;
  /** The training speed this grader published (10⁹ multiply-adds/s per slot), for time estimates; null before it calibrated. */
  gflops?: () => number | null;
  /** Told of every training that completed, with its dataset and its epochs' wall seconds: the running speed correction learns from them, per dataset (`Calibrator.observe`). */
  onTrained?: (run: TimedTraining) => void;
}

/** What the grader stores for an experiment or tuning job: its result, or why it has none (a sentence for the student). */
export type ExperimentOutcome = { result: ExperimentResult | TuningResult } | { failed: string };

/**
 * What a claimed job came to: a grading's verdict, or an experiment's outcome (a debugging
 * experiment's or a tuning search's) with a one-line summary for the grader's log.
 */
export type JobResult =
  | { kind: "verdict"; verdict: Verdict }
  | { kind: "experiment"; experiment: string; outcome: ExperimentOutcome; summary: string };

/** A claimed job resolved against the course: what every kind of job starts from. */
export interface ResolvedJob {
  /**
   * The built-in exercise with the assignment's overrides and the project's decisions (`placedExercise`):
   * the budgets the student saw and is held to, and on IMDB the vocabulary step 4 chose.
   */
  exercise: ExerciseDefinition;
  /** Null when the assignment was deleted after the job was queued. */
  assignment: Assignment | null;
  overrides: Record<string, unknown>;
  payload: SubmissionPayload;
  /** The examples a grading trains and is tested on: the grader's scale-down (tests, CI) or the exercise's. */
  slice: DataSlice;
  /**
   * A guided project's step-2–4 decisions, undefined outside one. Gradings, experiments and tuning
   * runs all train on the data as step 4 prepared it, so what a student learns from an experiment or
   * a search holds for the graded model.
   */
  decisions: ProjectDecisions | undefined;
  /** Step 4's scaling of MNIST's pixels, for a training child's request (a CSV's is applied by `csvData`). */
  imageScaling: InputScaling | undefined;
  /** The content of the exercise's CSV dataset and its split seed, found as the web app finds it (`resolveCsv`). */
  readCsv: () => Promise<CsvContent>;
  /**
   * A CSV dataset encoded in this process — its test labels stay here; children get training rows and
   * test inputs — with the facts `prepareTraining` checks the model against. Nothing for MNIST and IMDB.
   */
  csvData: (slice: DataSlice) => Promise<{ grading?: GradingData; prepare: PrepareOptions }>;
  /** Appends a progress row; rows are written in order, each append waiting for the one before. */
  emit: (event: ProgressEvent) => void;
  /** Resolves once every progress row emitted so far is written (a failed write is dropped). */
  progressWritten: () => Promise<void>;
  log: (text: string) => void;
  /** Stores the job's log (capped in the database); a failure to write one never loses the outcome. */
  flushLog: () => Promise<void>;
}

/**
 * Resolves a claimed job: its exercise as the assignment and the project's decisions place it, its
 * dataset, progress and log.
 * A job that names no exercise any more comes back as a problem for the student.
 */
export async function resolveJob(claimed: ClaimedJob, ctx: JobContext): Promise<ResolvedJob | { problem: string }> {
  const { submission, job } = claimed;
  const builtIn = findExercise(submission.exerciseId);
  if (!builtIn) return { problem: `Exercise "${submission.exerciseId}" does not exist.` };
  const assignment = await assignmentById(ctx.db, submission.assignmentId);
  const overrides = assignment?.overrides ?? {};
  const decisions = await projectDecisions(ctx.db, { assignment, userId: submission.userId });
  // A guided project's choices place the exercise (IMDB: step 4's vocabulary) for every kind of job.
  const exercise = placedExercise(builtIn, overrides, decisions);
  const { dataset } = exercise;
  const { imageScaling, csvScaling } = scalingFor(dataset, decisions?.preparation);
  const readCsv = async () => {
    if (dataset.kind !== "csv") throw new Error(`readCsv: the dataset of ${exercise.id} is ${dataset.kind}, not a CSV`);
    const uploaded = assignment ? (file: string) => datasetByFile(ctx.db, assignment.courseId, file) : undefined;
    const { text, splitSeed } = await resolveCsv(dataset, uploaded ? { uploaded } : {});
    return { text, splitSeed };
  };
  let progress = Promise.resolve();
  let log = "";
  return {
    exercise,
    assignment,
    overrides,
    payload: submission.payload,
    decisions,
    imageScaling,
    slice: { trainLimit: ctx.config.trainLimit ?? exercise.data.trainLimit, testLimit: ctx.config.testLimit ?? exercise.data.testLimit },
    readCsv,
    csvData: async (slice) => {
      if (dataset.kind !== "csv") return { prepare: {} };
      const csv = await readCsv();
      const grading = loadGradingData(dataset, {
        slice,
        seed: exercise.seed,
        cacheDir: ctx.config.cacheDir,
        csvText: csv.text,
        csvSplitSeed: csv.splitSeed,
        ...(csvScaling ? { csvScaling } : {}),
      });
      return { grading, prepare: gradingFacts(grading, dataset).prepare };
    },
    emit: (event) => {
      progress = progress.then(() => appendProgress(ctx.db, job.id, event, ctx.now()).then(() => undefined)).catch(() => undefined);
    },
    progressWritten: () => progress,
    log: (text) => {
      log += text;
    },
    flushLog: async () => {
      if (log !== "") await appendLog(ctx.db, job.id, log).catch(() => undefined);
      log = "";
    },
  };
}

/** A training child that ended without a result. */
export type FailedChild = Exclude<ChildOutcome, { kind: "done" }>;

/**
 * Why a training child gave no result, in the student's terms, `subject` naming what trained ("The
 * experiment", "This trial", "The final model"). Faults of the grader — the lease was lost, the
 * child crashed — throw `GraderFault`: the job is retried, and the student is told nothing yet.
 */
export function childFailure(outcome: FailedChild, subject: string, config: Pick<GraderConfig, "memoryMb" | "hardTimeoutMs">): string {
  switch (outcome.kind) {
    case "invalid":
      return outcome.message;
    case "oom":
      return `${subject} ran out of memory (the grader allows ${config.memoryMb} MiB): ${outcome.message}. A smaller model needs less.`;
    case "timeout":
      return outcome.clock === "cpu"
        ? `${subject} used ${Math.round(outcome.cpuMs / 1000)} s of CPU time, more than the grader allows it (${Math.round(outcome.wallMs / 1000)} s of wall-clock time).`
        : `${subject} did not finish within the grader's wall-clock limit of ${Math.round(config.hardTimeoutMs / 1000)} s (it used ${Math.round(outcome.cpuMs / 1000)} s of CPU time).`;
    case "aborted":
      throw new GraderFault("training was stopped: the job's lease was lost or the grader is shutting down");
    case "error":
      throw new GraderFault(outcome.message);
  }
}

/** A dataset that could not be read (missing, malformed, neither uploaded nor built in), as a sentence for the student; undefined for anything else. */
export function datasetProblem(error: unknown): string | undefined {
  return isDatasetReadError(error) ? `The dataset could not be read: ${error.message}` : undefined;
}

/**
 * Step 7's step-6 model: the submission the workflow engine records as the student's step-6 pass in
 * this project (the same one the step-7 editor opened on). Undefined when there is none.
 */
export async function previousStepModel(
  db: Db,
  input: { assignment: Assignment | null | undefined; userId: string },
): Promise<{ payload: SubmissionPayload; run?: RunRecord } | undefined> {
  if (!input.assignment) return undefined;
  const previous = await previousStepSubmission(db, { assignment: input.assignment, userId: input.userId, locate: assignmentPlace });
  if (!previous) return undefined;
  // The record of its graded run travels with its current verdict: step 7 reuses that run when nothing differs.
  const graded = (await submissionsFor(db, { assignmentId: previous.assignmentId, userId: input.userId })).find(
    (s) => s.id === previous.id,
  );
  const run = graded?.verdict?.environment?.run;
  return { payload: previous.payload, ...(run ? { run } : {}) };
}

/** The job log's note of the project decisions a run trained under (nothing outside a guided project). */
export function decisionsNote(decisions: ProjectDecisions | undefined): string {
  return decisions ? `; project decisions: ${describeDecisions(decisions).join(" · ")}` : "";
}

/** A guided project's step-2–4 decisions for a job's assignment, from the true verdicts (nothing withheld). */
export async function projectDecisions(
  db: Db,
  input: { assignment: Assignment | null | undefined; userId: string },
): Promise<ProjectDecisions | undefined> {
  if (!input.assignment) return undefined;
  return projectStepDecisions(db, { assignment: input.assignment, userId: input.userId, locate: assignmentPlace, now: null });
}
