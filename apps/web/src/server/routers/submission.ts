import { NotFoundError, SubmissionPayload, ValidationError } from "@stepwise/core/contracts";
import { latestGradeChange, latestJobForSubmission, submissionsFor, verdictForJob, type SubmissionRow } from "@stepwise/db";
import { z } from "zod";
import { toTRPCError } from "../errors";
import { assignmentExercise, effectiveBudgets } from "../services/exercise-view";
import { gradeNotice } from "../services/grade-notice";
import { trainingSpeed } from "../services/grader-speed";
import { submit } from "../services/submit";
import { summarizeSubmission, verdictFor } from "../services/verdict-view";
import { watchSubmission, type WatchUpdate } from "../services/watch";
import { submissionScope } from "../scope";
import { assignmentProcedure, authedProcedure, createTRPCRouter, submissionProcedure } from "../trpc";

const Id = z.string().min(1).max(100);

function publicSubmission(submission: SubmissionRow) {
  return {
    id: submission.id,
    assignmentId: submission.assignmentId,
    exerciseId: submission.exerciseId,
    createdAt: submission.createdAt,
    payload: submission.payload,
  };
}

/** Wraps a generator so errors raised mid-stream reach the client with our codes, like any other procedure's. */
async function* mapErrors<T>(source: AsyncGenerator<T, void, unknown>): AsyncGenerator<T, void, unknown> {
  try {
    yield* source;
  } catch (error) {
    throw toTRPCError(error);
  }
}

/**
 * Students read only their own submissions; instructors read those of their courses (`reader`). The
 * viewer decides what of a verdict is shown: instructors of the course see hidden checks too.
 */
export const submissionRouter = createTRPCRouter({
  /** Members of the course submit (instructors may try their own assignments). */
  create: assignmentProcedure.member
    .input(z.object({ assignmentId: Id, payload: SubmissionPayload }).strict())
    .mutation(async ({ ctx, input }) => {
      const { assignment } = ctx;
      // The exercise as the assignment places it (its dataset may be an uploaded CSV), as the grader sees it.
      const exercise = assignmentExercise(assignment);
      // GRADER_EFFECTIVE_GFLOPS=0 turns the time check off; otherwise a grader's measurement comes first.
      const speed =
        ctx.config.graderGflops === 0 ? null : await trainingSpeed(ctx.db, { configured: ctx.config.graderGflops, now: ctx.now() });
      const { submission, job } = await submit(ctx.db, {
        assignment,
        exercise,
        budgets: effectiveBudgets(exercise, assignment),
        user: ctx.user,
        payload: input.payload,
        now: ctx.now(),
        submissionsPerMinute: ctx.config.submissionsPerMinute,
        ...(speed ? { speed } : {}),
      });
      return { submissionId: submission.id, jobId: job.id, status: job.status };
    }),

  /** Its author or an instructor of its course. */
  byId: submissionProcedure.reader.input(z.object({ submissionId: Id }).strict()).query(async ({ ctx }) => {
    const { submission, assignment, viewer } = ctx;
    // What a status page polls: this submission's current grading job and its verdict only, not every
    // attempt of the student (each a verdict to parse).
    const job = await latestJobForSubmission(ctx.db, submission.id);
    const [verdict, change] = await Promise.all([job ? verdictForJob(ctx.db, job.id) : null, latestGradeChange(ctx.db, submission.id)]);
    const view = { deadline: assignment.deadline, now: ctx.now() };
    // The baseline the curves are drawn against is the assignment's, not the built-in exercise's.
    const exercise = assignmentExercise(assignment);
    return {
      submission: publicSubmission(submission),
      /** The caller's own submission (a grade change they read is marked seen). */
      mine: submission.userId === ctx.user.id,
      assignment: { id: assignment.id, courseId: assignment.courseId, title: assignment.title },
      exercise: { id: exercise.id, title: exercise.title, baseline: exercise.baseline ?? null },
      job: job ? { id: job.id, status: job.status, attempts: job.attempts } : null,
      verdict: verdict ? verdictFor(verdict, viewer, view) : null,
      /** The last regrade that changed this grade ("Regraded on …: passed → failed …"), or null. */
      regrade: change ? gradeNotice(change, viewer === "instructor" ? null : view) : null,
    };
  }),

  /** Members of the course: the caller's own submissions to one assignment, newest first. */
  list: assignmentProcedure.member.input(z.object({ assignmentId: Id }).strict()).query(async ({ ctx }) => {
    const { assignment, role } = ctx;
    const rows = await submissionsFor(ctx.db, { assignmentId: assignment.id, userId: ctx.user.id });
    const view = role === "instructor" ? null : { deadline: assignment.deadline, now: ctx.now() };
    return rows.map((row) => summarizeSubmission(row, view));
  }),

  /** Its author or an instructor of its course: live grading status over SSE; state comes only from the database, so any web instance can serve it. */
  watch: submissionProcedure.reader.input(z.object({ submissionId: Id }).strict()).subscription(({ ctx, input, signal }) => {
    const { assignment, viewer } = ctx;
    const updates: AsyncGenerator<WatchUpdate, void, unknown> = watchSubmission(ctx.db, {
      submissionId: input.submissionId,
      deadline: assignment.deadline,
      viewer,
      pollMs: ctx.config.watchPollMs,
      now: ctx.now,
      signal,
    });
    return mapErrors(updates);
  }),

  /**
   * Learning curves of two submissions to the same assignment, for overlaying. Each must be readable
   * by the caller (the `reader` rule of each: their own, or any in a course they teach).
   */
  compare: authedProcedure.input(z.object({ submissionIds: z.tuple([Id, Id]) }).strict()).query(async ({ ctx, input }) => {
    const [a, b] = await Promise.all(input.submissionIds.map((id) => submissionScope(ctx, id, "reader")));
    if (!a || !b) throw new NotFoundError("Both submissions must exist.");
    if (a.assignment.id !== b.assignment.id) {
      throw new ValidationError(
        `Only submissions to the same assignment can be compared; got "${a.assignment.title}" and "${b.assignment.title}".`,
        "submissionIds",
      );
    }
    const rows = await submissionsFor(ctx.db, { assignmentId: a.assignment.id, userId: a.submission.userId });
    const others =
      a.submission.userId === b.submission.userId
        ? rows
        : await submissionsFor(ctx.db, { assignmentId: b.assignment.id, userId: b.submission.userId });
    const all = [...rows, ...others];
    return {
      assignment: { id: a.assignment.id, title: a.assignment.title },
      submissions: [a, b].map(({ submission }) => {
        const row = all.find((r) => r.id === submission.id);
        const verdict = row?.verdict ? verdictFor(row.verdict, a.viewer, { deadline: a.assignment.deadline, now: ctx.now() }) : null;
        return {
          id: submission.id,
          createdAt: submission.createdAt,
          status: verdict?.status ?? null,
          testAccuracy: verdict?.status === "withheld" ? null : (verdict?.metrics.testAccuracy?.value ?? null),
          history: verdict?.curves.history ?? [],
        };
      }),
    };
  }),
});
