import { ForbiddenError, NotFoundError } from "@stepwise/core/contracts";
import { assignmentById, enqueueExperiment, experimentRunById, experimentRunsFor, progressSince, submissionsFor } from "@stepwise/db";
import { EXPERIMENTS } from "@stepwise/exercises/experiments";
import { z } from "zod";
import {
  catalogue,
  checkRunnable,
  estimatorFor,
  placedExercise,
  policyOf,
  runView,
  suggestionsFor,
  type ExperimentRunView,
} from "../services/experiments";
import { speedFigures } from "../services/grader-speed";
import { verdictFor } from "../services/verdict-view";
import { requireOwnerOrInstructor } from "../scope";
import { assignmentProcedure, authedProcedure, createTRPCRouter, submissionProcedure } from "../trpc";

const Id = z.string().min(1).max(100);
const Experiment = z.enum(EXPERIMENTS).describe("The debugging experiment to run, e.g. `tiny-subset` or `lr-range-test`");

const views = (runs: Parameters<typeof runView>[0][]): ExperimentRunView[] =>
  runs.map(runView).filter((v): v is ExperimentRunView => v !== null);

export const experimentRouter = createTRPCRouter({
  /**
   * Runs a debugging experiment on one of the caller's own submissions. It costs compute budget, never
   * an attempt: refused when the instructor has not allowed it, when it does not fit the task or the
   * model, when the estimated time does not fit the budget left, or beyond the per-minute rate limit.
   * Members of the course, on their own submissions only (an instructor neither).
   */
  run: submissionProcedure.member
    .input(z.object({ submissionId: Id.describe("The submission whose model the experiment examines"), experiment: Experiment }).strict())
    .mutation(async ({ ctx, input }) => {
      const { submission, assignment } = ctx;
      if (!ctx.own) throw new ForbiddenError("You can only run experiments on your own submissions.");
      const exercise = placedExercise(assignment);
      const policy = policyOf(assignment);
      checkRunnable({ name: input.experiment, exercise, policy, payload: submission.payload });
      const { job, estimateSeconds, budget } = await enqueueExperiment(ctx.db, {
        submissionId: submission.id,
        userId: ctx.user.id,
        experiment: input.experiment,
        budgetSeconds: policy.computeSeconds,
        perMinute: ctx.config.submissionsPerMinute,
        estimateSeconds: estimatorFor(exercise, await speedFigures(ctx, assignment)),
        now: ctx.now(),
      });
      return { jobId: job.id, status: job.status, estimateSeconds, budget };
    }),

  /** Members of the course: the Debugging page, every experiment with the caller's latest run of it, their runs and the budget left. */
  list: assignmentProcedure.member.input(z.object({ assignmentId: Id }).strict()).query(async ({ ctx }) => {
    const { assignment } = ctx;
    const exercise = placedExercise(assignment);
    const policy = policyOf(assignment);
    const [{ runs, budget }, submissions] = await Promise.all([
      experimentRunsFor(ctx.db, {
        assignmentId: assignment.id,
        userId: ctx.user.id,
        budgetSeconds: policy.computeSeconds,
        estimateSeconds: estimatorFor(exercise, await speedFigures(ctx, assignment)),
      }),
      submissionsFor(ctx.db, { assignmentId: assignment.id, userId: ctx.user.id }),
    ]);
    const all = views(runs);
    return {
      assignment: { id: assignment.id, courseId: assignment.courseId, title: assignment.title },
      exercise: { id: exercise.id, title: exercise.title, kind: exercise.kind },
      budget,
      // Runs start from the Debugging page on the latest submission.
      latestSubmission: submissions[0] ? { id: submissions[0].id, createdAt: submissions[0].createdAt } : null,
      experiments: catalogue(exercise, policy).map((entry) => ({
        ...entry,
        last: all.find((r) => r.experiment === entry.experiment) ?? null,
      })),
      runs: all,
    };
  }),

  /** Its owner or an instructor of its course: one run, with how far its training got; poll it while it is queued or running. */
  byId: authedProcedure.input(z.object({ jobId: Id }).strict()).query(async ({ ctx, input }) => {
    const run = await experimentRunById(ctx.db, input.jobId);
    if (!run) throw new NotFoundError(`No experiment run with id "${input.jobId}".`);
    const assignment = await assignmentById(ctx.db, run.assignmentId);
    await requireOwnerOrInstructor(ctx, { userId: run.userId, courseId: assignment?.courseId ?? null }, "experiments");
    const view = runView(run);
    if (!view) throw new NotFoundError(`Experiment run "${input.jobId}" names an experiment this version does not know.`);
    const events = run.status === "running" ? await progressSince(ctx.db, run.jobId, 0) : [];
    const epochs = events.filter((e) => e.event.type === "epoch").length;
    return { ...view, epochs };
  }),

  /**
   * "Why did this fail?" for one verdict: the experiments that fit its diagnostics (those the
   * assignment allows), the runs already made on this submission, and the budget left. Only the
   * submission's author may run them; an instructor sees the same list. Its author or an instructor
   * of its course.
   */
  suggestions: submissionProcedure.reader.input(z.object({ submissionId: Id }).strict()).query(async ({ ctx }) => {
    const { submission, assignment, viewer } = ctx;
    // An author no longer enrolled reads their work but runs nothing on it.
    const own = ctx.own && ctx.role !== null;
    const exercise = placedExercise(assignment);
    const policy = policyOf(assignment);
    const [rows, { runs, budget }] = await Promise.all([
      submissionsFor(ctx.db, { assignmentId: assignment.id, userId: submission.userId }),
      experimentRunsFor(ctx.db, {
        assignmentId: assignment.id,
        userId: submission.userId,
        budgetSeconds: policy.computeSeconds,
        estimateSeconds: estimatorFor(exercise, await speedFigures(ctx, assignment)),
      }),
    ]);
    const graded = rows.find((r) => r.id === submission.id)?.verdict ?? null;
    // Suggestions follow from the status and diagnostics: a verdict withheld from the student
    // suggests nothing, pass or fail alike.
    const shown = graded && verdictFor(graded, viewer, { deadline: assignment.deadline, now: ctx.now() });
    const verdict = shown && shown.status !== "withheld" ? graded : null;
    return {
      submissionId: submission.id,
      debuggingHref: `/courses/${assignment.courseId}/assignments/${assignment.id}/debugging`,
      canRun: own,
      applicable: exercise.kind === "training",
      budget,
      suggestions: suggestionsFor(verdict, exercise, policy),
      runs: views(runs.filter((r) => r.submissionId === submission.id)),
    };
  }),
});
