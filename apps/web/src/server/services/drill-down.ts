import {
  BudgetError,
  NotFoundError,
  ValidationError,
  type JobStatus,
  type SubmissionPayload,
  type Verdict,
} from "@stepwise/core/contracts";
import { parseModelSpec } from "@stepwise/core/model";
import { courseById, gradebookData, jobsOfSubmission, userById, type Assignment, type Db, type SubmissionRow } from "@stepwise/db";
import { findExercise, withOverrides } from "@stepwise/exercises";
import { lateness, type Lateness } from "@stepwise/exercises/course";
import { effectiveBudgets } from "./exercise-view";
import { deadlines, penaltyFor } from "./gradebook";

/** A layer as the model summary table shows it (the browser's worker gives the same shape). */
export interface SummaryLayer {
  name: string;
  className: string;
  outputShape: string;
  params: number;
}

export type ModelSummaryView = { ok: true; layers: SummaryLayer[]; totalParams: number } | { ok: false; error: string };

/**
 * The model summary from the submitted topology, by the same validation the grader runs (no TF.js):
 * a topology the grader would reject says why instead. Default limits, not the assignment's budget,
 * so an over-budget model still shows its layers.
 */
export function modelSummary(payload: SubmissionPayload): ModelSummaryView | null {
  if (!payload.model) return null;
  try {
    const { summary } = parseModelSpec(payload.model);
    return {
      ok: true,
      layers: summary.layers.map((l) => ({
        name: l.name,
        className: l.className,
        outputShape: `[${l.outputShape.map((d) => (d === null ? "null" : String(d))).join(", ")}]`,
        params: l.params,
      })),
      totalParams: summary.totalParams,
    };
  } catch (error) {
    if (error instanceof ValidationError || error instanceof BudgetError) return { ok: false, error: error.message };
    throw error;
  }
}

export interface DrillDownJob {
  id: string;
  purpose: string;
  regradeId: string | null;
  experiment: string | null;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  workerId: string | null;
  lastError: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The full verdict, checks of every visibility included. */
  verdict: Verdict | null;
  log: string;
  /** This job's verdict is the submission's current one. */
  current: boolean;
}

/** Everything about one submission an instructor may see; the caller has checked they teach the course. */
export async function submissionDrillDown(db: Db, input: { submission: SubmissionRow; assignment: Assignment }) {
  const { submission, assignment } = input;
  const [student, course, jobs, facts] = await Promise.all([
    userById(db, submission.userId),
    courseById(db, assignment.courseId),
    jobsOfSubmission(db, submission.id),
    gradebookData(db, { courseId: assignment.courseId, assignmentId: assignment.id }),
  ]);
  if (!course) throw new NotFoundError(`The course of submission "${submission.id}" no longer exists.`);
  // The baseline the instructor set is the one the verdict was judged against.
  const builtIn = findExercise(assignment.exerciseId);
  const exercise = builtIn ? withOverrides(builtIn, assignment.overrides) : undefined;
  const deadline = facts ? deadlines(facts)(assignment.id, submission.userId) : assignment.deadline;
  const late: Lateness = lateness(submission.createdAt, deadline, facts ? penaltyFor(assignment, facts.settings) : undefined);
  const currentJobId = facts?.attempts.find((a) => a.submissionId === submission.id)?.job?.id ?? null;
  return {
    course: { id: course.id, title: course.title },
    assignment: { id: assignment.id, title: assignment.title, exerciseId: assignment.exerciseId, deadline },
    exercise: exercise
      ? { id: exercise.id, title: exercise.title, step: exercise.step, kind: exercise.kind, baseline: exercise.baseline ?? null }
      : null,
    student: student
      ? { id: student.id, name: student.name, email: student.email }
      : { id: submission.userId, name: "(deleted user)", email: "" },
    submission: { id: submission.id, createdAt: submission.createdAt, exerciseId: submission.exerciseId, payload: submission.payload },
    lateness: late,
    model: modelSummary(submission.payload),
    /** Budgets in force for this assignment now (overrides included), to flag an over-budget model. */
    budgets: exercise ? effectiveBudgets(exercise, assignment) : null,
    jobs: jobs.map(
      (job): DrillDownJob => ({
        id: job.id,
        purpose: job.purpose,
        regradeId: job.regradeId,
        experiment: job.experiment,
        status: job.status,
        attempts: job.attempts,
        maxAttempts: job.maxAttempts,
        workerId: job.workerId,
        lastError: job.lastError,
        createdAt: job.createdAt,
        startedAt: job.startedAt,
        finishedAt: job.finishedAt,
        verdict: job.verdict,
        log: job.log,
        current: job.id === currentJobId,
      }),
    ),
  };
}

export type SubmissionDrillDown = Awaited<ReturnType<typeof submissionDrillDown>>;
