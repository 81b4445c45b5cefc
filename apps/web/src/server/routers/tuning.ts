import { ForbiddenError, NotFoundError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import {
  assignmentById,
  enqueueTuning,
  progressSince,
  submissionById,
  submissionsFor,
  testEvaluationsUsed,
  tuningRunById,
  tuningRunsFor,
  type Assignment,
  type Db,
  type User,
} from "@stepwise/db";
import { TuningSearch } from "@stepwise/exercises/tuning";
import { z } from "zod";
import { estimatorFor, placedExercise, policyOf } from "../services/experiments";
import { speedFigures } from "../services/grader-speed";
import {
  checkSearch,
  checkTuningAllowed,
  defaultSearch,
  modelFacts,
  progressOf,
  tuningPolicyOf,
  tuningRunView,
  tuningUnavailable,
} from "../services/tuning";
import { costOfSearch, estimateTuneSeconds, fittedDefaults } from "../services/tuning-cost";
import { requireOwnerOrInstructor } from "../scope";
import { assignmentProcedure, authedProcedure, createTRPCRouter } from "../trpc";

const Id = z.string().min(1).max(100);

/** The submission whose model a search varies: the one named (the caller's own, on this assignment), else the caller's latest. */
async function modelSubmission(db: Db, user: User, assignmentId: string, submissionId: string | undefined) {
  if (submissionId !== undefined) {
    const submission = await submissionById(db, submissionId);
    if (!submission) throw new NotFoundError(`No submission with id "${submissionId}".`);
    if (submission.userId !== user.id) throw new ForbiddenError("You can only tune the model of one of your own submissions.");
    if (submission.assignmentId !== assignmentId)
      throw new ValidationError(
        `Submission "${submissionId}" belongs to another assignment; tune a submission of this one.`,
        "submissionId",
      );
    return submission;
  }
  const [latest] = await submissionsFor(db, { assignmentId, userId: user.id });
  if (!latest)
    throw new PreconditionError("Submit a model on this step first: a search tries variations of the model of one of your submissions.");
  return latest;
}

/** Only the run's owner, or an instructor of its course, may read it. */
async function readableRun(ctx: { db: Db; user: User }, jobId: string) {
  const run = await tuningRunById(ctx.db, jobId);
  if (!run) throw new NotFoundError(`No tuning run with id "${jobId}".`);
  const assignment = await assignmentById(ctx.db, run.assignmentId);
  if (!assignment) throw new NotFoundError(`The assignment of tuning run "${jobId}" no longer exists.`);
  await requireOwnerOrInstructor(ctx, { userId: run.userId, courseId: assignment.courseId }, "tuning runs");
  return { run, assignment };
}

/** A declared search on one of the caller's step-7 models: what `start` queues and `estimate` costs. */
const SearchOnModel = z
  .object({
    assignmentId: Id.describe("The step-7 assignment to tune on"),
    submissionId: Id.optional().describe(
      "The submission whose model the search varies; the caller's latest on this assignment when absent",
    ),
    search: TuningSearch,
  })
  .strict();

/** Everything refused before a search is costed or queued: the assignment, tuning allowed, the model's owner, the search itself. */
async function checkedSearch(
  ctx: { db: Db; user: User; assignment: Assignment; config: { graderGflops?: number }; now: () => number },
  input: z.infer<typeof SearchOnModel>,
) {
  const { assignment } = ctx;
  const exercise = placedExercise(assignment);
  const policy = tuningPolicyOf(assignment);
  checkTuningAllowed(exercise, policy);
  const submission = await modelSubmission(ctx.db, ctx.user, assignment.id, input.submissionId);
  const trials = checkSearch(exercise, submission.payload, input.search, policy);
  return { assignment, exercise, policy, submission, trials, speed: await speedFigures(ctx, assignment) };
}

export const tuningRouter = createTRPCRouter({
  /**
   * Starts a declared search on the caller's step-7 model (their latest submission, or the one named).
   * It costs compute budget — the one the debugging experiments share — never an attempt. Refused when
   * the assignment is not step 7 or its toolbox does not allow tuning, when the search asks for more
   * trials than the assignment allows or does not fit the model, when the estimate does not fit the
   * budget left, or beyond the per-minute rate limit. Members of the course.
   */
  start: assignmentProcedure.member.input(SearchOnModel).mutation(async ({ ctx, input }) => {
    const { assignment, exercise, policy, submission, trials, speed } = await checkedSearch(ctx, input);
    // Checked against the assignment's trial cap here; the budget callback re-estimates stored searches without it.
    estimateTuneSeconds(exercise, submission.payload, input.search, { ...speed, maxTrials: policy.tuningTrials });
    const { job, estimateSeconds, budget } = await enqueueTuning(ctx.db, {
      submissionId: submission.id,
      userId: ctx.user.id,
      search: input.search,
      budgetSeconds: policyOf(assignment).computeSeconds,
      perMinute: ctx.config.submissionsPerMinute,
      estimateSeconds: estimatorFor(exercise, speed),
      now: ctx.now(),
    });
    return { jobId: job.id, status: job.status, submissionId: submission.id, trials, estimateSeconds, budget };
  }),

  /**
   * What a declared search will cost before it is started: the estimate from the graders' published
   * calibration, the budget left, and — when it does not fit — the largest search around it that does.
   * The same checks as `start` (a search the grader would refuse is BAD_REQUEST), nothing is queued. Members of the course.
   */
  estimate: assignmentProcedure.member.input(SearchOnModel).query(async ({ ctx, input }) => {
    const { assignment, exercise, policy, submission, speed } = await checkedSearch(ctx, input);
    const { budget } = await tuningRunsFor(ctx.db, {
      assignmentId: assignment.id,
      userId: ctx.user.id,
      budgetSeconds: policyOf(assignment).computeSeconds,
      estimateSeconds: estimatorFor(exercise, speed),
    });
    return costOfSearch(exercise, submission.payload, input.search, {
      ...speed,
      maxTrials: policy.tuningTrials,
      leftSeconds: budget.leftSeconds,
    });
  }),

  /**
   * The Tune section: the caller's searches on an assignment (newest first), whether tuning is
   * available and why not, the trial cap, the compute budget left (shared with the debugging
   * experiments), the test evaluations used, and the search the form starts from. Members of the course.
   */
  list: assignmentProcedure.member.input(z.object({ assignmentId: Id }).strict()).query(async ({ ctx }) => {
    const { assignment } = ctx;
    const exercise = placedExercise(assignment);
    const policy = tuningPolicyOf(assignment);
    const key = { assignmentId: assignment.id, userId: ctx.user.id };
    const speed = await speedFigures(ctx, assignment);
    const [{ runs, budget }, submissions, used] = await Promise.all([
      tuningRunsFor(ctx.db, {
        ...key,
        budgetSeconds: policyOf(assignment).computeSeconds,
        estimateSeconds: estimatorFor(exercise, speed),
      }),
      submissionsFor(ctx.db, key),
      testEvaluationsUsed(ctx.db, assignment.id, ctx.user.id),
    ]);
    const latest = submissions[0];
    const facts = latest ? modelFacts(latest.payload) : null;
    const defaults =
      latest && facts
        ? fittedDefaults(exercise, latest.payload, defaultSearch(facts, policy.tuningTrials), {
            ...speed,
            maxTrials: policy.tuningTrials,
            leftSeconds: budget.leftSeconds,
          })
        : null;
    return {
      assignment: { id: assignment.id, courseId: assignment.courseId, title: assignment.title },
      exercise: { id: exercise.id, title: exercise.title, step: exercise.step, metric: exercise.metric },
      unavailable: tuningUnavailable(exercise, policy),
      maxTrials: policy.tuningTrials,
      testEvaluations: { used, limit: policy.testEvaluations },
      budget,
      latestSubmission: latest ? { id: latest.id, createdAt: latest.createdAt } : null,
      facts,
      defaults,
      runs: runs.map(tuningRunView),
    };
  }),

  /** One search with how far it got (trial k of N): poll it while it is queued or running. Its owner or the course's instructors. */
  byId: authedProcedure.input(z.object({ jobId: Id }).strict()).query(async ({ ctx, input }) => {
    const { run, assignment } = await readableRun(ctx, input.jobId);
    const pending = run.status === "queued" || run.status === "running";
    // A pending run holds its estimate on the budget; read it again with the estimator to show it.
    const speed = pending ? await speedFigures(ctx, assignment) : null;
    const shown = speed ? ((await tuningRunById(ctx.db, run.jobId, estimatorFor(placedExercise(assignment), speed))) ?? run) : run;
    const progress = run.status === "running" ? progressOf((await progressSince(ctx.db, run.jobId, 0)).map((e) => e.event)) : null;
    return { ...tuningRunView(shown), progress };
  }),
});
