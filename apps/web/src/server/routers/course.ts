import { findExercise } from "@stepwise/exercises";
import { NotFoundError, PreconditionError } from "@stepwise/core/contracts";
import { assignmentsForCourse, countAttempts, courseByJoinCode, coursesForUser, enroll, membership, submissionsFor } from "@stepwise/db";
import { z } from "zod";
import { countAttempt, joinRules } from "../services/auth-limits";
import { assignmentStatus, verdictFor } from "../services/verdict-view";
import { authedProcedure, courseProcedure, createTRPCRouter } from "../trpc";

export const courseRouter = createTRPCRouter({
  /** Any signed-in user: the courses they are enrolled in, with their role. */
  list: authedProcedure.query(async ({ ctx }) => {
    const courses = await coursesForUser(ctx.db, ctx.user.id);
    return courses.map((c) => ({ id: c.id, title: c.title, role: c.role, archived: c.archived }));
  }),

  /** Members of the course: its assignments as steps of the workflow, each with the caller's status and attempts. */
  byId: courseProcedure.member.input(z.object({ courseId: z.string().min(1).max(100) }).strict()).query(async ({ ctx }) => {
    const { course, role } = ctx;
    // Several exercises share a step (MNIST and IMDB); order by step, then title, so the list is stable.
    const assignments = (await assignmentsForCourse(ctx.db, course.id)).sort((a, b) => a.position - b.position || a.title.localeCompare(b.title));
    const rows = await Promise.all(
      assignments.map(async (a) => {
        const key = { assignmentId: a.id, userId: ctx.user.id };
        const [mine, attemptsUsed] = await Promise.all([submissionsFor(ctx.db, key), countAttempts(ctx.db, key)]);
        const exercise = findExercise(a.exerciseId);
        return {
          id: a.id,
          title: a.title,
          exerciseTitle: exercise?.title ?? a.title,
          step: exercise?.step ?? null,
          position: a.position,
          deadline: a.deadline,
          attemptsAllowed: a.attemptsAllowed,
          attemptsUsed,
          status: assignmentStatus(mine.map((s) => ({ job: s.job, verdict: s.verdict && verdictFor(s.verdict, role, { deadline: a.deadline, now: ctx.now() }) }))),
        };
      }),
    );
    return { course: { id: course.id, title: course.title, archived: course.archived }, role, assignments: rows };
  }),

  /**
   * Any signed-in user: enrolls the caller as a student of the course with this join code. Idempotent: joining again,
   * or joining a course one already teaches, changes nothing and returns the same course.
   */
  join: authedProcedure
    .input(z.object({ code: z.string().trim().min(1, { message: "Enter the join code your instructor gave you." }).max(40) }).strict())
    .mutation(async ({ ctx, input }) => {
      await countAttempt(ctx.db, joinRules(ctx.config.authLimits, ctx.user.id), ctx.config.authLimits, ctx.now());
      const course = await courseByJoinCode(ctx.db, input.code);
      if (!course) throw new NotFoundError(`No course has the join code "${input.code.toUpperCase()}". Check the code with your instructor; it looks like DEMO-2026.`);
      const existing = await membership(ctx.db, course.id, ctx.user.id);
      if (!existing) {
        if (course.archived) throw new PreconditionError(`The course "${course.title}" is archived and no longer takes new students.`);
        await enroll(ctx.db, { courseId: course.id, userId: ctx.user.id, role: "student" }, ctx.now());
      }
      return { course: { id: course.id, title: course.title }, role: existing ?? ("student" as const), alreadyEnrolled: existing !== null };
    }),
});
