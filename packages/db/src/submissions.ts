import { randomUUID } from "node:crypto";
import {
  NotFoundError,
  PreconditionError,
  RateLimitError,
  SubmissionPayload,
  ValidationError,
  type Verdict,
} from "@stepwise/core/contracts";
import { type Kysely, type Selectable, sql } from "kysely";
import { type Db, type Dialect, writeTx } from "./connection";
import { submissionFingerprint } from "./fingerprint";
import { type JobRow, type SubmissionRow, toJob, toSubmission, toVerdict } from "./rows";
import type { Database, SubmissionsTable } from "./schema";
import { TestEvaluationLimitError, reserveTestEvaluationTx } from "./test-evaluations";

export const DEFAULT_MAX_ATTEMPTS = 3;
export const STUDENT_PRIORITY = 0;
export const REGRADE_PRIORITY = 10;

export interface NewJob {
  submissionId: string;
  priority: number;
  maxAttempts: number;
  now: number;
  /** `grade` (default) decides the submission's verdict; `preview` belongs to the regrade `regradeId`. */
  purpose?: "grade" | "preview" | "experiment" | "passback";
  regradeId?: string;
  /** The debugging experiment an `experiment` job runs (and only such a job has one). */
  experiment?: string;
  /** JSON of the declared search of a `tune` experiment job (`tuning.ts`). */
  tuningSearch?: string;
  /** Grader seconds an experiment run is estimated at when started (`jobs.estimate_seconds`). */
  estimateSeconds?: number;
}

/** Jobs whose verdict is the submission's verdict. Previews (until applied) and experiments never are. */
export const GRADE_PURPOSE = "grade";

/** Inserts a queued job inside the caller's transaction. */
export async function insertJob(q: Kysely<Database>, dialect: Dialect, input: NewJob): Promise<JobRow> {
  if (!Number.isInteger(input.priority)) throw new ValidationError(`Job priority must be an integer, got ${input.priority}`, "priority");
  const purpose = input.purpose ?? GRADE_PURPOSE;
  if ((purpose === "preview") !== (input.regradeId !== undefined))
    throw new ValidationError(
      `A preview job needs a regradeId and only a preview job has one; got purpose "${purpose}" and regradeId ${input.regradeId ?? "none"}`,
      "regradeId",
    );
  if ((purpose === "experiment") !== (input.experiment !== undefined))
    throw new ValidationError(
      `An experiment job needs an experiment name and only an experiment job has one; got purpose "${purpose}" and experiment ${input.experiment ?? "none"}`,
      "experiment",
    );
  const row = {
    id: randomUUID(),
    submission_id: input.submissionId,
    status: "queued",
    priority: input.priority,
    attempts: 0,
    max_attempts: input.maxAttempts,
    run_after: input.now,
    lease_until: null,
    worker_id: null,
    last_error: null,
    created_at: input.now,
    started_at: null,
    finished_at: null,
    purpose,
    regrade_id: input.regradeId ?? null,
    experiment: input.experiment ?? null,
    tuning_search: input.tuningSearch ?? null,
    estimate_seconds: input.estimateSeconds ?? null,
  };
  await q
    .insertInto("jobs")
    .values(dialect === "postgres" ? row : { ...row, seq: sql<number>`(select coalesce(max(seq), 0) + 1 from jobs)` })
    .execute();
  return toJob(row);
}

/** Stores the submission and its first job in one transaction: both or neither. */
export async function createSubmissionWithJob(
  db: Db,
  input: {
    assignmentId: string;
    userId: string;
    exerciseId: string;
    payload: SubmissionPayload;
    /** Lower runs first; 0 for students, 10 for regrades. */
    priority?: number;
    maxAttempts?: number;
    /**
     * A graded step-7 submission is one evaluation on the hidden test set: reserved in the same
     * transaction, and the whole submission refused (`TestEvaluationLimitError`, nothing stored) when
     * `limit` evaluations already count. Absent for every other submission.
     */
    testEvaluation?: { limit: number };
    /**
     * A student's limits, counted inside the transaction under a per-student lock, so concurrent
     * submissions (any web instance) cannot together exceed them: `attemptsAllowed` (null: no
     * limit) and at most `perMinute` submissions in the last `windowMs`. Absent for regrades and seeds.
     */
    limits?: { attemptsAllowed: number | null; perMinute: number; windowMs: number };
  },
  now: number,
): Promise<{ submission: SubmissionRow; job: JobRow; testEvaluation?: { id: string; used: number; limit: number } }> {
  const payload = SubmissionPayload.parse(input.payload);
  if (payload.exerciseId !== input.exerciseId)
    throw new ValidationError(`Payload exerciseId must be "${input.exerciseId}", got "${payload.exerciseId}"`, "exerciseId");
  const submission: SubmissionRow = {
    id: randomUUID(),
    assignmentId: input.assignmentId,
    userId: input.userId,
    exerciseId: input.exerciseId,
    payload,
    createdAt: now,
  };
  const stored = await writeTx(db, async (q) => {
    if (input.limits)
      await checkStudentLimits(q, db.dialect, { assignmentId: input.assignmentId, userId: input.userId }, input.limits, now);
    await q
      .insertInto("submissions")
      .values({
        id: submission.id,
        assignment_id: submission.assignmentId,
        user_id: submission.userId,
        exercise_id: submission.exerciseId,
        payload: JSON.stringify(payload),
        created_at: now,
        fingerprint: submissionFingerprint(payload) ?? "",
      })
      .execute();
    const job = await insertJob(q, db.dialect, {
      submissionId: submission.id,
      priority: input.priority ?? STUDENT_PRIORITY,
      maxAttempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      now,
    });
    if (!input.testEvaluation) return { job };
    const reserved = await reserveTestEvaluationTx(q, db.dialect, {
      assignmentId: submission.assignmentId,
      userId: submission.userId,
      source: "submission",
      submissionId: submission.id,
      jobId: job.id,
      limit: input.testEvaluation.limit,
      now,
    });
    // Throwing rolls the submission and its job back: a refusal stores nothing and costs no attempt.
    if (!reserved.ok) throw new TestEvaluationLimitError(reserved.used, reserved.limit);
    return { job, testEvaluation: { id: reserved.id, used: reserved.used, limit: reserved.limit } };
  });
  return { submission, ...stored };
}

export async function submissionById(db: Db, id: string): Promise<SubmissionRow | null> {
  const row = await db.kysely.selectFrom("submissions").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toSubmission(row) : null;
}

export async function jobById(db: Db, id: string): Promise<JobRow | null> {
  const row = await db.kysely.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toJob(row) : null;
}

/** The submission's latest grading job: previews of a regrade not yet applied, and experiments, are not its grading. */
export async function latestJobForSubmission(db: Db, submissionId: string): Promise<JobRow | null> {
  const row = await db.kysely
    .selectFrom("jobs")
    .selectAll()
    .where("submission_id", "=", submissionId)
    .where("purpose", "=", GRADE_PURPOSE)
    .orderBy("created_at", "desc")
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? toJob(row) : null;
}

export async function verdictForJob(db: Db, jobId: string): Promise<Verdict | null> {
  const row = await db.kysely.selectFrom("verdicts").select("verdict").where("job_id", "=", jobId).executeTakeFirst();
  return row ? toVerdict(row.verdict, jobId) : null;
}

/**
 * A student's submissions for an assignment, newest first, each with its latest grading job and that
 * job's verdict. Only `grade` jobs count: a regrade's preview verdicts stay invisible until it is applied.
 */
export async function submissionsFor(
  db: Db,
  input: { assignmentId: string; userId: string },
): Promise<Array<SubmissionRow & { job: JobRow | null; verdict: Verdict | null }>> {
  return submissionsWith(db.kysely, { assignmentIds: [input.assignmentId], userId: input.userId });
}

/** {@link submissionsFor} over several assignments at once (a student's whole course), newest first. */
export async function submissionsOfStudent(
  db: Db,
  input: { assignmentIds: readonly string[]; userId: string },
): Promise<Array<SubmissionRow & { job: JobRow | null; verdict: Verdict | null }>> {
  return submissionsWith(db.kysely, input);
}

/** {@link submissionsFor} on any executor: the pool, or a transaction that must see its own lock's state. */
async function submissionsWith(
  q: Kysely<Database>,
  input: { assignmentIds: readonly string[]; userId: string },
): Promise<Array<SubmissionRow & { job: JobRow | null; verdict: Verdict | null }>> {
  if (input.assignmentIds.length === 0) return [];
  const submissions = await q
    .selectFrom("submissions")
    .selectAll()
    .where("assignment_id", "in", input.assignmentIds)
    .where("user_id", "=", input.userId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  if (submissions.length === 0) return [];
  const ids = submissions.map((s) => s.id);
  const jobs = await q
    .selectFrom("jobs")
    .leftJoin("verdicts", "verdicts.job_id", "jobs.id")
    .selectAll("jobs")
    .select("verdicts.verdict as verdict")
    .where("jobs.submission_id", "in", ids)
    .where("jobs.purpose", "=", GRADE_PURPOSE)
    .orderBy("jobs.created_at", "asc")
    .orderBy("jobs.seq", "asc")
    .execute();
  // Ascending order, so the last job seen for a submission is its latest.
  const latest = new Map<string, (typeof jobs)[number]>();
  for (const job of jobs) latest.set(job.submission_id, job);
  return submissions.flatMap((row) => {
    const submission = readable(row);
    if (!submission) return [];
    const job = latest.get(row.id);
    return [{ ...submission, job: job ? toJob(job) : null, verdict: job?.verdict != null ? toVerdict(job.verdict, job.id) : null }];
  });
}

/**
 * A stored submission no schema reads any more (a bad migration, a hand edit) is left out of a
 * student's lists, projects and attempt counts instead of failing all of them — and with them the
 * grading of the student's other jobs; its own job is dead-lettered with the reason when claimed.
 */
function readable(row: Selectable<SubmissionsTable>): SubmissionRow | null {
  try {
    return toSubmission(row);
  } catch {
    return null;
  }
}

/**
 * Attempts used: submissions whose latest verdict is not `invalid` or `error` (those cost no
 * attempt) and whose latest job was not cancelled. Pending submissions count, so a student
 * cannot queue more than the limit while grading is slow.
 */
export async function countAttempts(db: Db, input: { assignmentId: string; userId: string }): Promise<number> {
  return attemptsUsed(await submissionsFor(db, input));
}

function attemptsUsed(rows: Array<{ job: JobRow | null; verdict: Verdict | null }>): number {
  return rows.filter((s) => {
    if (s.verdict) return s.verdict.status !== "invalid" && s.verdict.status !== "error";
    return s.job?.status !== "cancelled";
  }).length;
}

/**
 * Refuses a submission past the student's attempts or rate limit. Runs inside the submission's write
 * transaction: SQLite's BEGIN IMMEDIATE serializes every writer, and on PostgreSQL an advisory lock
 * per student and assignment makes two concurrent submissions count one after the other.
 */
async function checkStudentLimits(
  q: Kysely<Database>,
  dialect: Dialect,
  key: { assignmentId: string; userId: string },
  limits: { attemptsAllowed: number | null; perMinute: number; windowMs: number },
  now: number,
): Promise<void> {
  if (dialect === "postgres")
    await sql`select pg_advisory_xact_lock(hashtext(${`stepwise-submissions:${key.assignmentId}:${key.userId}`}))`.execute(q);
  const rows = await submissionsWith(q, { assignmentIds: [key.assignmentId], userId: key.userId });
  if (limits.attemptsAllowed !== null && attemptsUsed(rows) >= limits.attemptsAllowed) {
    throw new PreconditionError(`You have used all ${limits.attemptsAllowed} attempts for this assignment.`);
  }
  const recent = rows.filter((s) => s.createdAt > now - limits.windowMs).length;
  if (recent >= limits.perMinute) {
    throw new RateLimitError(
      `At most ${limits.perMinute} submissions per minute to one assignment; you have made ${recent}. Wait a minute and try again.`,
    );
  }
}

/** A regrade is a new job for the same submission; it waits behind students' work by default. */
export async function enqueueRegrade(db: Db, submissionId: string, now: number, priority: number = REGRADE_PRIORITY): Promise<JobRow> {
  return writeTx(db, async (q) => {
    const exists = await q.selectFrom("submissions").select("id").where("id", "=", submissionId).executeTakeFirst();
    if (!exists) throw new NotFoundError(`Submission ${submissionId} does not exist`);
    return insertJob(q, db.dialect, { submissionId, priority, maxAttempts: DEFAULT_MAX_ATTEMPTS, now });
  });
}
