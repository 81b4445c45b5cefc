/**
 * Test-set hygiene: each evaluation of a student's model on an assignment's hidden test set
 * — a graded step-7 submission, or the final phase of a tuning run — is reserved here first, counted
 * and limited per student and assignment. The grader then records what the student saw, and a
 * configuration that can only have been preferred for its test score is flagged.
 *
 * What counts: a reservation whose job has not ended without touching the test set. A job that was
 * cancelled or dead-lettered, or whose verdict is not `passed`/`failed` (rejected as invalid, timed
 * out, out of memory, diverged, grader error), gave the student no test score and costs nothing —
 * as such verdicts cost no attempt. Pending reservations count, so a student cannot queue more
 * evaluations than the limit while grading is slow.
 */
import { randomUUID } from "node:crypto";
import { NotFoundError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import { type Kysely, sql } from "kysely";
import { z } from "zod";
import { type Db, type Dialect, writeTx } from "./connection";
import { parseJson } from "./rows";
import type { Database } from "./schema";
import { SelectionFlag, selectionOnTest } from "./test-selection";

export const TestEvaluationSource = z
  .enum(["submission", "tuning"])
  .describe("What evaluated on test: a graded step-7 submission, or a tuning run's final phase");
export type TestEvaluationSource = z.infer<typeof TestEvaluationSource>;

/** The refusal a student reads when the limit is reached: where to choose instead, and who can allow more. */
export function testEvaluationLimitMessage(used: number, limit: number): string {
  return (
    `You have used ${used} of ${limit} evaluations on the hidden test set for this assignment. ` +
    "Choose your configuration on the validation curves (Debugging, Tune); your instructor can allow more."
  );
}

/** A step-7 submission (or a tuning run's final phase) refused because the test-evaluation limit is reached. */
export class TestEvaluationLimitError extends PreconditionError {
  constructor(
    readonly used: number,
    readonly limit: number,
  ) {
    super(testEvaluationLimitMessage(used, limit));
  }
}

export interface ReserveTestEvaluationInput {
  assignmentId: string;
  userId: string;
  source: TestEvaluationSource;
  /** The submission whose model is evaluated (a tuning run's submission for `tuning`). */
  submissionId: string;
  /** The job that evaluates; a reservation for the same job (a retried or reclaimed job) is granted again without counting twice. */
  jobId?: string;
  /** Test evaluations allowed on this assignment (the toolbox's `testEvaluations`). */
  limit: number;
  /** ms since the epoch. */
  now: number;
}

export type TestEvaluationReservation = { ok: true; id: string; used: number; limit: number } | { ok: false; used: number; limit: number };

export interface TestEvaluation {
  id: string;
  assignmentId: string;
  userId: string;
  source: TestEvaluationSource;
  submissionId: string;
  jobId: string | null;
  createdAt: number;
  /** When the grader recorded the result; null while pending (or when the job ended without one). */
  evaluatedAt: number | null;
  validationMetric: number | null;
  validationMetricName: string | null;
  testMetric: number | null;
  higherIsBetter: boolean;
  configKey: string | null;
  /** Whether this evaluation counts against the limit (see the module comment). */
  counted: boolean;
  flag: SelectionFlag | null;
}

/**
 * Serializes reservations of one student on one assignment until the transaction ends. SQLite's
 * BEGIN IMMEDIATE (writeTx) already serializes every writer; on PostgreSQL two requests on any web
 * instances or graders could otherwise both count the same evaluations and both insert.
 */
async function lockEvaluations(q: Kysely<Database>, dialect: Dialect, key: { assignmentId: string; userId: string }): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`select pg_advisory_xact_lock(hashtext(${`stepwise-test-evaluations:${key.assignmentId}:${key.userId}`}))`.execute(q);
}

function rowsQuery(q: Kysely<Database>) {
  return q
    .selectFrom("test_evaluations as e")
    .leftJoin("jobs as j", "j.id", "e.job_id")
    .leftJoin("verdicts as v", "v.job_id", "e.job_id")
    .selectAll("e")
    .select(["j.status as job_status", "v.status as verdict_status"]);
}
type Row = Awaited<ReturnType<ReturnType<typeof rowsQuery>["executeTakeFirstOrThrow"]>>;

/** See the module comment; a job not (yet) in the table is pending. */
function isCounted(row: { job_id: string | null; job_status: string | null; verdict_status: string | null }): boolean {
  if (row.job_id === null || row.job_status === null) return true;
  if (row.job_status === "cancelled" || row.job_status === "dead") return false;
  return row.verdict_status === null || row.verdict_status === "passed" || row.verdict_status === "failed";
}

function toEvaluation(row: Row): TestEvaluation {
  return {
    id: row.id,
    assignmentId: row.assignment_id,
    userId: row.user_id,
    source: TestEvaluationSource.parse(row.source),
    submissionId: row.submission_id,
    jobId: row.job_id,
    createdAt: row.created_at,
    evaluatedAt: row.evaluated_at,
    validationMetric: row.validation_metric,
    validationMetricName: row.validation_metric_name,
    testMetric: row.test_metric,
    higherIsBetter: row.higher_is_better !== 0,
    configKey: row.config_key,
    counted: isCounted(row),
    flag: row.flag !== null ? parseJson(SelectionFlag, row.flag, `flag of test evaluation ${row.id}`) : null,
  };
}

async function evaluationsIn(q: Kysely<Database>, assignmentId: string, userId: string): Promise<TestEvaluation[]> {
  const rows = await rowsQuery(q)
    .where("e.assignment_id", "=", assignmentId)
    .where("e.user_id", "=", userId)
    .orderBy("e.created_at", "asc")
    .orderBy("e.id", "asc")
    .execute();
  return rows.map(toEvaluation);
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0)
    throw new ValidationError(`The test-evaluation limit must be a whole number ≥ 0, got ${limit}.`, "limit");
}

/**
 * Reserves one test evaluation inside the caller's write transaction (`writeTx`: on SQLite it must
 * hold the write lock from its start), so that storing a submission and reserving its evaluation are
 * one unit. The submission must already be inserted in this transaction (the row refers to it).
 * Refused (`ok: false`, nothing written) when `limit` evaluations already count; granted again, and
 * not counted twice, for a job or a submission that already holds a reservation of this source.
 */
export async function reserveTestEvaluationTx(
  q: Kysely<Database>,
  dialect: Dialect,
  input: ReserveTestEvaluationInput,
): Promise<TestEvaluationReservation> {
  checkLimit(input.limit);
  TestEvaluationSource.parse(input.source);
  await lockEvaluations(q, dialect, input);
  const rows = await evaluationsIn(q, input.assignmentId, input.userId);
  const used = rows.filter((r) => r.counted).length;
  const held = rows.find(
    (r) =>
      r.source === input.source &&
      (input.jobId !== undefined ? r.jobId === input.jobId : input.source === "submission" && r.submissionId === input.submissionId),
  );
  if (held) return { ok: true, id: held.id, used, limit: input.limit };
  if (used >= input.limit) return { ok: false, used, limit: input.limit };
  const id = randomUUID();
  await q
    .insertInto("test_evaluations")
    .values({
      id,
      assignment_id: input.assignmentId,
      user_id: input.userId,
      source: input.source,
      submission_id: input.submissionId,
      job_id: input.jobId ?? null,
      created_at: input.now,
      evaluated_at: null,
      validation_metric: null,
      validation_metric_name: null,
      test_metric: null,
      config_key: null,
      flag: null,
    })
    .execute();
  return { ok: true, id, used: used + 1, limit: input.limit };
}

/**
 * Reserves one test evaluation in its own transaction; atomic: N concurrent calls with limit L
 * grant exactly min(N, L) on both dialects. Call it right before the test set is touched.
 */
export async function reserveTestEvaluation(db: Db, input: ReserveTestEvaluationInput): Promise<TestEvaluationReservation> {
  return writeTx(db, (q) => reserveTestEvaluationTx(q, db.dialect, input));
}

/** Test evaluations that count against the student's limit on this assignment. */
export async function testEvaluationsUsed(db: Db, assignmentId: string, userId: string): Promise<number> {
  return (await evaluationsIn(db.kysely, assignmentId, userId)).filter((r) => r.counted).length;
}

/** Every test evaluation of a student on an assignment, oldest first, counted or not. */
export async function testEvaluationsOf(db: Db, assignmentId: string, userId: string): Promise<TestEvaluation[]> {
  return evaluationsIn(db.kysely, assignmentId, userId);
}

/** The evaluation reserved for a job (how the grader finds the row to record on), or null. */
export async function testEvaluationForJob(db: Db, jobId: string): Promise<TestEvaluation | null> {
  const row = await rowsQuery(db.kysely).where("e.job_id", "=", jobId).orderBy("e.created_at", "asc").executeTakeFirst();
  return row ? toEvaluation(row) : null;
}

/** Flagged evaluations of a set of assignments (for the gradebook), oldest first. */
export async function flaggedTestEvaluations(db: Db, assignmentIds: string[]): Promise<TestEvaluation[]> {
  if (assignmentIds.length === 0) return [];
  const rows = await rowsQuery(db.kysely)
    .where("e.assignment_id", "in", assignmentIds)
    .where("e.flag", "is not", null)
    .orderBy("e.created_at", "asc")
    .execute();
  return rows.map(toEvaluation);
}

export interface TestEvaluationResult {
  /** The evaluated model's validation metric (best epoch of the run the student chose on), or null when it has none. */
  validationMetric: number | null;
  /** Which metric that is (e.g. `valAccuracy`, `valLoss`, `kfoldMean`); only evaluations with the same name are compared. */
  validationMetricName?: string;
  /** Its metric on the hidden test set. */
  testMetric: number | null;
  /** Fingerprint of the configuration (topology + training). */
  configKey: string;
  /** true (default) for accuracies; false for losses and errors such as MAE. */
  higherIsBetter?: boolean;
  /** ms since the epoch; default the current time. */
  now?: number;
}

/**
 * Records what an evaluation measured and flags selection on test (`selectionOnTest`), in one
 * transaction under the student's lock. Idempotent: a retried job records the same values again.
 */
export async function recordTestEvaluationResult(
  db: Db,
  id: string,
  result: TestEvaluationResult,
): Promise<{ flag: SelectionFlag | null }> {
  if (result.configKey.length === 0)
    throw new ValidationError("A test evaluation's configKey must be a non-empty fingerprint, got an empty string.", "configKey");
  for (const [name, value] of [
    ["validationMetric", result.validationMetric],
    ["testMetric", result.testMetric],
  ] as const) {
    if (value !== null && !Number.isFinite(value))
      throw new ValidationError(`A test evaluation's ${name} must be a finite number or null, got ${value}.`, name);
  }
  return writeTx(db, async (q) => {
    const row = await q
      .selectFrom("test_evaluations")
      .select(["assignment_id", "user_id", "created_at"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`No test evaluation with id "${id}".`);
    await lockEvaluations(q, db.dialect, { assignmentId: row.assignment_id, userId: row.user_id });
    const higherIsBetter = result.higherIsBetter ?? true;
    const others = await evaluationsIn(q, row.assignment_id, row.user_id);
    const validationMetricName = result.validationMetricName ?? null;
    const flag = selectionOnTest(
      {
        id,
        createdAt: row.created_at,
        configKey: result.configKey,
        validationMetric: result.validationMetric,
        validationMetricName,
        testMetric: result.testMetric,
        higherIsBetter,
      },
      others,
    );
    await q
      .updateTable("test_evaluations")
      .set({
        evaluated_at: result.now ?? Date.now(),
        validation_metric: result.validationMetric,
        validation_metric_name: validationMetricName,
        test_metric: result.testMetric,
        higher_is_better: higherIsBetter ? 1 : 0,
        config_key: result.configKey,
        flag: flag === null ? null : JSON.stringify(flag),
      })
      .where("id", "=", id)
      .execute();
    return { flag };
  });
}
