import { JobStatus, JobWork, SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import type { Selectable } from "kysely";
import { z } from "zod";
import type { JobsTable, SubmissionsTable } from "./schema";

export interface SubmissionRow {
  id: string;
  assignmentId: string;
  userId: string;
  exerciseId: string;
  payload: SubmissionPayload;
  createdAt: number;
}

export interface JobRow {
  id: string;
  submissionId: string;
  status: JobStatus;
  /** Lower runs first: 0 for a student's submission, 10 for a regrade. */
  priority: number;
  /** Claims so far, including the current one. */
  attempts: number;
  maxAttempts: number;
  /** Not claimable before this time (ms); pushed forward by retry backoff. */
  runAfter: number;
  leaseUntil: number | null;
  workerId: string | null;
  lastError: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

// JSON columns are a trust boundary too: a row written by an older version (or by hand)
// must fail loudly here rather than deep inside the grader or a React component.
export function parseJson<T>(schema: { parse(value: unknown): T }, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`Stored ${what} must be JSON, got ${JSON.stringify(text.slice(0, 80))}`, { cause: error });
  }
  return schema.parse(value);
}

export function toSubmission(row: Selectable<SubmissionsTable>): SubmissionRow {
  return {
    id: row.id,
    assignmentId: row.assignment_id,
    userId: row.user_id,
    exerciseId: row.exercise_id,
    payload: parseJson(SubmissionPayload, row.payload, `payload of submission ${row.id}`),
    createdAt: row.created_at,
  };
}

export function toJob(row: Omit<Selectable<JobsTable>, "seq">): JobRow {
  return {
    id: row.id,
    submissionId: row.submission_id,
    status: JobStatus.parse(row.status),
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAfter: row.run_after,
    leaseUntil: row.lease_until,
    workerId: row.worker_id,
    lastError: row.last_error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** `jobs.purpose` of a debugging experiment or tuning run (the others grade: `grade`, `preview`). */
export const EXPERIMENT_PURPOSE = "experiment";
/** The experiment name of a tuning job (`jobs.experiment`). */
export const TUNE_EXPERIMENT = "tune";

/** What the job asks the grader to do, from its purpose, experiment and stored search columns. */
export function toJobWork(row: Pick<Selectable<JobsTable>, "id" | "purpose" | "experiment" | "tuning_search">): JobWork {
  if (row.purpose !== EXPERIMENT_PURPOSE) return JobWork.parse({ kind: "grade" });
  if (row.experiment === TUNE_EXPERIMENT) {
    const search = row.tuning_search === null ? null : parseJson(z.unknown(), row.tuning_search, `search of job ${row.id}`);
    return JobWork.parse({ kind: "tune", search });
  }
  return JobWork.parse({ kind: "experiment", experiment: row.experiment ?? "" });
}

export function toVerdict(text: string, jobId: string): Verdict {
  return parseJson(Verdict, text, `verdict of job ${jobId}`);
}
