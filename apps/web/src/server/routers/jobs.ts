import { ForbiddenError, NotFoundError } from "@stepwise/core/contracts";
import { courseOfJob, jobsOverview, retryDeadJob, type Db, type User } from "@stepwise/db";
import { z } from "zod";
import { courseScope } from "../scope";
import { createTRPCRouter, instructorProcedure } from "../trpc";

const Id = z.string().min(1).max(100);

/**
 * Operators (the global `admin` role) see every course's jobs; an instructor only the courses they teach.
 * The course is optional (or comes from the job), so this rule stands in for a scoped procedure.
 */
async function requireJobsOf(ctx: { db: Db; user: User }, courseId: string | undefined): Promise<void> {
  if (ctx.user.role === "admin") return;
  if (courseId === undefined) throw new ForbiddenError("Only operators may list the jobs of every course; name a course you teach.");
  await courseScope(ctx, courseId, "instructor");
}

export const jobsRouter = createTRPCRouter({
  /** The live queue (positions, running jobs with grader, phase and elapsed time, recent failures): one course's, or every course's for operators. */
  list: instructorProcedure
    .input(
      z
        .object({ courseId: Id.optional().describe("The course, which the caller must teach; absent: every course (operators only)") })
        .strict(),
    )
    .query(async ({ ctx, input }) => {
      await requireJobsOf(ctx, input.courseId);
      const now = ctx.now();
      return { now, ...(await jobsOverview(ctx.db, { ...(input.courseId === undefined ? {} : { courseId: input.courseId }), now })) };
    }),

  /** Puts a dead-lettered job back in the queue with fresh attempts. */
  retry: instructorProcedure.input(z.object({ jobId: Id }).strict()).mutation(async ({ ctx, input }) => {
    const courseId = await courseOfJob(ctx.db, input.jobId);
    if (!courseId) throw new NotFoundError(`No job with id "${input.jobId}".`);
    await requireJobsOf(ctx, courseId);
    const job = await retryDeadJob(ctx.db, input.jobId, ctx.now());
    return { jobId: job.id, status: job.status };
  }),
});
