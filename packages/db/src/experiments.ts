/**
 * Debugging experiments as jobs: a student runs one of the checklist's experiments on one of their
 * submissions; the grader runs it and stores an experiment result (never a verdict). Each run is
 * charged against a compute budget per student and assignment — never against attempts.
 *
 * The stored result is JSON the caller parses (the exercises package owns its schema; this package
 * depends on core only): either the experiment's result as it returned it, or `{ failed: true,
 * message }` when it could not run on this model.
 */
import {
  ForbiddenError,
  JobStatus,
  NotFoundError,
  PreconditionError,
  RateLimitError,
  SubmissionPayload,
  ValidationError,
} from "@stepwise/core/contracts";
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import { type Db, type Dialect, writeTx } from "./connection";
import { notifyJob } from "./progress";
import { complete } from "./queue-lifecycle";
import { EXPERIMENT_PURPOSE, type JobRow, parseJson } from "./rows";
import type { Database } from "./schema";
import { DEFAULT_MAX_ATTEMPTS, insertJob } from "./submissions";

export { EXPERIMENT_PURPOSE } from "./rows";
/** Experiments wait behind students' gradings (0) but run before regrades (10): a student is waiting. */
export const EXPERIMENT_PRIORITY = 5;
const RATE_WINDOW_MS = 60_000;

/** A run that could not produce a result (the model does not fit the experiment, training failed). */
const StoredFailure = z.object({ failed: z.literal(true), message: z.string() }).strict();

/** What the grader stored for a finished run: the experiment's own result, or why there is none. */
export type ExperimentOutcome = { kind: "result"; result: unknown } | { kind: "failed"; message: string };

export interface ExperimentRun {
  jobId: string;
  submissionId: string;
  assignmentId: string;
  userId: string;
  experiment: string;
  status: JobStatus;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Null until the grader stored an outcome; a dead-lettered run has none (its `lastError` says why). */
  outcome: ExperimentOutcome | null;
  lastError: string | null;
  /** Seconds charged to the budget: measured once done, estimated while pending, 0 for grader faults. */
  chargedSeconds: number;
  /** Seconds the run was estimated at when it was started (kept after it is done); null for runs started before this was recorded. */
  estimateSeconds: number | null;
  /** A `tune` run's declared search as stored (parsed by the caller, as results are); null for other experiments. */
  search: unknown;
}

/** Estimated grader seconds of one run; the caller knows the experiments and the exercise. */
export type EstimateSeconds = (run: { experiment: string; payload: SubmissionPayload; search?: unknown }) => number;

export interface ExperimentBudget {
  budgetSeconds: number;
  /** Measured time of finished runs. */
  usedSeconds: number;
  /** Estimated time of runs still queued or running. */
  reservedSeconds: number;
  /** What a new run may still use: budget − used − reserved, at least 0. */
  leftSeconds: number;
}

function readOutcome(text: string, jobId: string): ExperimentOutcome {
  const value = parseJson(z.unknown(), text, `experiment result of job ${jobId}`);
  const failure = StoredFailure.safeParse(value);
  return failure.success ? { kind: "failed", message: failure.data.message } : { kind: "result", result: value };
}

/** Grader time a run costs: its wall-clock time once done; a pending run its estimate; a grader fault nothing. */
function charge(row: { status: string; started_at: number | null; finished_at: number | null }, estimate: () => number): number {
  if (row.status === "queued" || row.status === "running") return estimate();
  if (row.status === "done" && row.started_at !== null && row.finished_at !== null)
    return Math.max(0, row.finished_at - row.started_at) / 1000;
  return 0;
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;

function runsQuery(q: Kysely<Database>) {
  return q
    .selectFrom("jobs")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .leftJoin("experiment_results", "experiment_results.job_id", "jobs.id")
    .select([
      "jobs.id",
      "jobs.submission_id",
      "jobs.status",
      "jobs.attempts",
      "jobs.created_at",
      "jobs.started_at",
      "jobs.finished_at",
      "jobs.last_error",
      "jobs.experiment",
      "jobs.tuning_search",
      "jobs.estimate_seconds",
      "submissions.assignment_id",
      "submissions.user_id",
      "submissions.payload",
      "experiment_results.result",
    ])
    .where("jobs.purpose", "=", EXPERIMENT_PURPOSE);
}
type RunRow = Awaited<ReturnType<ReturnType<typeof runsQuery>["executeTakeFirstOrThrow"]>>;

function toRun(row: RunRow, estimate: EstimateSeconds | undefined): ExperimentRun {
  const experiment = row.experiment ?? "";
  const search: unknown = row.tuning_search !== null ? parseJson(z.unknown(), row.tuning_search, `search of job ${row.id}`) : null;
  return {
    jobId: row.id,
    submissionId: row.submission_id,
    assignmentId: row.assignment_id,
    userId: row.user_id,
    experiment,
    status: JobStatus.parse(row.status),
    attempts: row.attempts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.result !== null ? readOutcome(row.result, row.id) : null,
    lastError: row.last_error,
    // A pending run holds the estimate it was started with; one from before estimates were kept is estimated again.
    chargedSeconds: charge(row, () =>
      row.estimate_seconds !== null
        ? row.estimate_seconds
        : estimate
          ? estimate({
              experiment,
              payload: parseJson(SubmissionPayload, row.payload, `payload of submission ${row.submission_id}`),
              ...(search !== null ? { search } : {}),
            })
          : 0,
    ),
    estimateSeconds: row.estimate_seconds,
    search,
  };
}

async function runsOf(
  q: Kysely<Database>,
  key: { assignmentId: string; userId: string },
  estimate: EstimateSeconds | undefined,
): Promise<ExperimentRun[]> {
  const rows = await runsQuery(q)
    .where("submissions.assignment_id", "=", key.assignmentId)
    .where("submissions.user_id", "=", key.userId)
    .orderBy("jobs.created_at", "desc")
    .orderBy("jobs.seq", "desc")
    .execute();
  return rows.map((row) => toRun(row, estimate));
}

function budgetOf(runs: ExperimentRun[], budgetSeconds: number): ExperimentBudget {
  let used = 0;
  let reserved = 0;
  for (const run of runs) {
    if (run.status === "queued" || run.status === "running") reserved += run.chargedSeconds;
    else used += run.chargedSeconds;
  }
  return {
    budgetSeconds,
    usedSeconds: round(used),
    reservedSeconds: round(reserved),
    leftSeconds: round(Math.max(0, budgetSeconds - used - reserved)),
  };
}

/**
 * Serializes budget checks of one student on one assignment until the transaction ends. SQLite's
 * BEGIN IMMEDIATE already serializes every writer; on PostgreSQL two requests (on any web
 * instances) could otherwise both read the same spending and both enqueue.
 */
async function lockBudget(q: Kysely<Database>, dialect: Dialect, key: { assignmentId: string; userId: string }): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`select pg_advisory_xact_lock(hashtext(${`stepwise-experiments:${key.assignmentId}:${key.userId}`}))`.execute(q);
}

const fmt = (seconds: number) => `${Number(seconds.toFixed(seconds < 10 ? 1 : 0))} s`;

/**
 * Enqueues an experiment on one of the caller's own submissions, atomically with its checks: the
 * submission is theirs, they made fewer than `perMinute` experiment requests on this assignment in
 * the last minute, and the run's estimated time fits what is left of the compute budget (finished
 * runs at their measured time, pending ones at their estimate). Experiments cost no attempt.
 */
export async function enqueueExperiment(
  db: Db,
  input: {
    submissionId: string;
    userId: string;
    experiment: string;
    budgetSeconds: number;
    perMinute: number;
    estimateSeconds: EstimateSeconds;
    now: number;
    /** A `tune` run's declared search, stored with the job (`tuning.ts`); the caller has validated it. */
    search?: unknown;
  },
): Promise<{ job: JobRow; estimateSeconds: number; budget: ExperimentBudget }> {
  if (input.experiment.length === 0)
    throw new ValidationError("An experiment job needs the experiment's name, got an empty string.", "experiment");
  return writeTx(db, async (q) => {
    const submission = await q
      .selectFrom("submissions")
      .select(["id", "user_id", "assignment_id", "payload"])
      .where("id", "=", input.submissionId)
      .executeTakeFirst();
    if (!submission) throw new NotFoundError(`No submission with id "${input.submissionId}".`);
    if (submission.user_id !== input.userId) throw new ForbiddenError("You can only run experiments on your own submissions.");
    const key = { assignmentId: submission.assignment_id, userId: input.userId };
    await lockBudget(q, db.dialect, key);

    const runs = await runsOf(q, key, input.estimateSeconds);
    const recent = runs.filter((r) => r.createdAt > input.now - RATE_WINDOW_MS).length;
    if (recent >= input.perMinute) {
      throw new RateLimitError(
        `At most ${input.perMinute} experiments per minute on one assignment; you have started ${recent}. Wait a minute and try again.`,
      );
    }
    const payload = parseJson(SubmissionPayload, submission.payload, `payload of submission ${submission.id}`);
    const estimate = input.estimateSeconds({
      experiment: input.experiment,
      payload,
      ...(input.search !== undefined ? { search: input.search } : {}),
    });
    const before = budgetOf(runs, input.budgetSeconds);
    if (input.budgetSeconds <= 0)
      throw new PreconditionError("Experiments are turned off for this assignment (its compute budget is 0 s).");
    if (estimate > before.leftSeconds) {
      throw new PreconditionError(
        `Running ${input.experiment} needs about ${fmt(estimate)} of grader time; you have ${fmt(before.leftSeconds)} left of this assignment's ${fmt(input.budgetSeconds)} experiment budget` +
          (before.reservedSeconds > 0 ? ` (${fmt(before.reservedSeconds)} held by runs still in the queue)` : "") +
          ". Experiments never cost attempts, only compute.",
      );
    }
    const job = await insertJob(q, db.dialect, {
      submissionId: submission.id,
      priority: EXPERIMENT_PRIORITY,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      now: input.now,
      purpose: EXPERIMENT_PURPOSE,
      experiment: input.experiment,
      ...(input.search !== undefined ? { tuningSearch: JSON.stringify(input.search) } : {}),
      estimateSeconds: round(estimate),
    });
    await notifyJob(q, db, job.id);
    const budget = {
      ...before,
      reservedSeconds: round(before.reservedSeconds + estimate),
      leftSeconds: round(Math.max(0, before.leftSeconds - estimate)),
    };
    return { job, estimateSeconds: round(estimate), budget };
  });
}

/** A student's experiment runs on one assignment, newest first, with the budget they leave. */
export async function experimentRunsFor(
  db: Db,
  input: { assignmentId: string; userId: string; budgetSeconds: number; estimateSeconds: EstimateSeconds },
): Promise<{ runs: ExperimentRun[]; budget: ExperimentBudget }> {
  const runs = await runsOf(db.kysely, input, input.estimateSeconds);
  return { runs, budget: budgetOf(runs, input.budgetSeconds) };
}

/** One experiment run (for authorization the caller compares `userId` and the assignment's course); null if none. */
export async function experimentRunById(db: Db, jobId: string, estimate?: EstimateSeconds): Promise<ExperimentRun | null> {
  const row = await runsQuery(db.kysely).where("jobs.id", "=", jobId).executeTakeFirst();
  return row ? toRun(row, estimate) : null;
}

/**
 * Stores an experiment's outcome and marks its job done, idempotently like `completeJob` (see
 * `complete`): a repeated call returns "duplicate", and a job no longer leased to `workerId` "lost".
 */
export async function completeExperimentJob(
  db: Db,
  input: { jobId: string; workerId: string; outcome: { result: unknown } | { failed: string }; now: number },
): Promise<"stored" | "duplicate" | "lost"> {
  const stored = "failed" in input.outcome ? { failed: true as const, message: input.outcome.failed.slice(0, 4000) } : input.outcome.result;
  const text = JSON.stringify(stored);
  if (typeof text !== "string") throw new ValidationError("An experiment result must be JSON, got undefined.", "result");
  return complete(db, input, {
    table: "experiment_results",
    purpose: EXPERIMENT_PURPOSE,
    store: async (q, job) => {
      await q.insertInto("experiment_results").values({ job_id: job.id, result: text, created_at: input.now }).execute();
    },
  });
}
