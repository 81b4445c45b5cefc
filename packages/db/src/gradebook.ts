import { JobStatus, Verdict } from "@stepwise/core/contracts";
import { sql } from "kysely";
import { z } from "zod";
import type { Db } from "./connection";
import { type Assignment, assignmentsForCourse } from "./courses";
import { type JobRow, parseJson, toJob, toVerdict } from "./rows";
import { GRADE_PURPOSE } from "./submissions";
import { flaggedTestEvaluations } from "./test-evaluations";
import type { SelectionFlag } from "./test-selection";

/**
 * What the gradebook, the exports and the regrade preview read: raw facts (attempts with their
 * current grading, deadlines, extensions, the course's settings). The late rule and the scoring
 * policy live in the web app's services, which apply `lateness` from the exercises package.
 */
export interface GradebookStudent {
  id: string;
  name: string;
  email: string;
}

/** One submission with its current grading: the latest `grade` job and that job's verdict. */
export interface GradebookAttempt {
  submissionId: string;
  assignmentId: string;
  userId: string;
  createdAt: number;
  job: { id: string; status: JobStatus } | null;
  verdict: Pick<Verdict, "status" | "score"> | null;
}

export interface Extension {
  assignmentId: string;
  userId: string;
  deadline: number;
}

export interface GradebookData {
  course: { id: string; title: string; archived: boolean };
  /** The course's `settings` JSON as stored (`{defaultAttempts?, latePenalty?}`), validated by the caller. */
  settings: Record<string, unknown>;
  assignments: Assignment[];
  /** Students of the course (instructors are not graded), by name then e-mail. */
  students: GradebookStudent[];
  extensions: Extension[];
  /** Every submission of the listed assignments, newest first. */
  attempts: GradebookAttempt[];
  /** Step-7 evaluations flagged as a configuration chosen on its test score, oldest first. */
  selectedOnTest: SelectedOnTest[];
}

/** A test evaluation flagged by the grader: the submission, and the evidence (both validation/test pairs). */
export interface SelectedOnTest {
  assignmentId: string;
  userId: string;
  submissionId: string;
  flag: SelectionFlag;
}

const Settings = z.record(z.string(), z.unknown());
const ScoreOnly = Verdict.pick({ status: true, score: true });

function scoreOnly(jobId: string, status: string, score: unknown): Pick<Verdict, "status" | "score"> {
  const parsed = ScoreOnly.safeParse({ status, score: typeof score === "string" ? Number(score) : score });
  if (!parsed.success)
    throw new Error(
      `verdict of job ${jobId} has no valid status and score: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}

/**
 * The gradebook's facts for a course (or for one of its assignments), in a handful of queries
 * whatever the class size. Null when the course does not exist. `withoutRegrade` reads the grading
 * as it was before that regrade was applied (its jobs ignored), for showing old → new afterwards.
 */
export async function gradebookData(
  db: Db,
  input: { courseId: string; assignmentId?: string; withoutRegrade?: string },
): Promise<GradebookData | null> {
  const course = await db.kysely.selectFrom("courses").selectAll().where("id", "=", input.courseId).executeTakeFirst();
  if (!course) return null;
  const all = await assignmentsForCourse(db, input.courseId);
  const assignments = input.assignmentId === undefined ? all : all.filter((a) => a.id === input.assignmentId);
  const ids = assignments.map((a) => a.id);
  const students = await db.kysely
    .selectFrom("enrollments")
    .innerJoin("users", "users.id", "enrollments.user_id")
    .select(["users.id", "users.name", "users.email"])
    .where("enrollments.course_id", "=", input.courseId)
    .where("enrollments.role", "=", "student")
    .orderBy("users.name", "asc")
    .orderBy("users.email", "asc")
    .execute();
  const base = {
    course: { id: course.id, title: course.title, archived: course.archived !== 0 },
    settings: parseJson(Settings, course.settings, `settings of course ${course.id}`),
    assignments,
    students,
  };
  if (ids.length === 0) return { ...base, extensions: [], attempts: [], selectedOnTest: [] };

  const extensions = await db.kysely
    .selectFrom("extensions")
    .select(["assignment_id", "user_id", "deadline"])
    .where("assignment_id", "in", ids)
    .execute();
  const submissions = await db.kysely
    .selectFrom("submissions")
    .select(["id", "assignment_id", "user_id", "created_at"])
    .where("assignment_id", "in", ids)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  let jobsQuery = db.kysely
    .selectFrom("jobs")
    .innerJoin("submissions", "submissions.id", "jobs.submission_id")
    .leftJoin("verdicts", "verdicts.job_id", "jobs.id")
    .select(["jobs.id", "jobs.submission_id", "jobs.status", "verdicts.status as verdict_status"])
    // Only the score leaves the database: a full verdict (curves, model summary, checks) is kilobytes,
    // and a class of 300 × 28 reads thousands of them for two fields.
    .select(
      db.dialect === "postgres"
        ? sql<number | null>`(verdicts.verdict::jsonb ->> 'score')::float8`.as("score")
        : sql<number | null>`json_extract(verdicts.verdict, '$.score')`.as("score"),
    )
    .where("submissions.assignment_id", "in", ids)
    .where("jobs.purpose", "=", GRADE_PURPOSE)
    .orderBy("jobs.created_at", "asc")
    .orderBy("jobs.seq", "asc");
  const without = input.withoutRegrade;
  if (without !== undefined)
    jobsQuery = jobsQuery.where((eb) => eb.or([eb("jobs.regrade_id", "is", null), eb("jobs.regrade_id", "!=", without)]));
  const jobs = await jobsQuery.execute();
  // Ascending order, so the last job seen for a submission is its current grading (as in submissionsFor).
  const latest = new Map<string, (typeof jobs)[number]>();
  for (const job of jobs) latest.set(job.submission_id, job);
  const attempts = submissions.map((s): GradebookAttempt => {
    const job = latest.get(s.id);
    return {
      submissionId: s.id,
      assignmentId: s.assignment_id,
      userId: s.user_id,
      createdAt: s.created_at,
      job: job ? { id: job.id, status: JobStatus.parse(job.status) } : null,
      verdict: job?.verdict_status != null ? scoreOnly(job.id, job.verdict_status, job.score) : null,
    };
  });
  return {
    ...base,
    extensions: extensions.map((e) => ({ assignmentId: e.assignment_id, userId: e.user_id, deadline: e.deadline })),
    attempts,
    selectedOnTest: (await flaggedTestEvaluations(db, ids)).flatMap((e) =>
      e.flag ? [{ assignmentId: e.assignmentId, userId: e.userId, submissionId: e.submissionId, flag: e.flag }] : [],
    ),
  };
}

/** One job of a submission, whatever its purpose, with its verdict and log, for the instructor's drill-down. */
export interface SubmissionJob extends JobRow {
  /** `grade`, `preview` (of regrade `regradeId`) or `experiment`. */
  purpose: string;
  regradeId: string | null;
  experiment: string | null;
  verdict: Verdict | null;
  log: string;
}

/** Every job of a submission, oldest first: gradings, regrade previews and experiments. */
export async function jobsOfSubmission(db: Db, submissionId: string): Promise<SubmissionJob[]> {
  const rows = await db.kysely
    .selectFrom("jobs")
    .leftJoin("verdicts", "verdicts.job_id", "jobs.id")
    .leftJoin("job_logs", "job_logs.job_id", "jobs.id")
    .selectAll("jobs")
    .select(["verdicts.verdict as verdict", "job_logs.text as log"])
    .where("jobs.submission_id", "=", submissionId)
    .orderBy("jobs.created_at", "asc")
    .orderBy("jobs.seq", "asc")
    .execute();
  return rows.map((row) => ({
    ...toJob(row),
    purpose: row.purpose,
    regradeId: row.regrade_id,
    experiment: row.experiment,
    verdict: row.verdict != null ? toVerdict(row.verdict, row.id) : null,
    log: row.log ?? "",
  }));
}
