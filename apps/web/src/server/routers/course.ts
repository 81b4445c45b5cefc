import { findExercise } from "@stepwise/exercises";
import { NotFoundError, PreconditionError } from "@stepwise/core/contracts";
import {
  assignmentsForCourse,
  countAttempts,
  courseByJoinCode,
  courseMembers,
  coursesForUser,
  createCourse,
  enroll,
  membership,
  removeCourseInstructor,
  rotateJoinCode,
  setCourseArchived,
  submissionsFor,
  updateCourse,
} from "@stepwise/db";
import { z } from "zod";
import { countAttempt, joinRules } from "../services/auth-limits";
import { DEFAULT_ATTEMPTS } from "../services/late-policy";
import { CourseSettings, CourseTitle, Id } from "../services/teach-schemas";
import { teachAssignmentView, teachCourseView } from "../services/teach-views";
import { assignmentStatus, verdictFor } from "../services/verdict-view";
import { authedProcedure, courseProcedure, createTRPCRouter, instructorProcedure } from "../trpc";

const CourseInput = z.object({ courseId: Id }).strict();

/**
 * Courses: what a member reads and joins, and what the course's instructors manage (every instructor
 * procedure but `taught` and `create` is scoped to the course in its input).
 */
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
    const assignments = (await assignmentsForCourse(ctx.db, course.id)).sort(
      (a, b) => a.position - b.position || a.title.localeCompare(b.title),
    );
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
          status: assignmentStatus(
            mine.map((s) => ({ job: s.job, verdict: s.verdict && verdictFor(s.verdict, role, { deadline: a.deadline, now: ctx.now() }) })),
          ),
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
      if (!course)
        throw new NotFoundError(
          `No course has the join code "${input.code.toUpperCase()}". Check the code with your instructor; it looks like DEMO-2026.`,
        );
      const existing = await membership(ctx.db, course.id, ctx.user.id);
      if (!existing) {
        if (course.archived) throw new PreconditionError(`The course "${course.title}" is archived and no longer takes new students.`);
        await enroll(ctx.db, { courseId: course.id, userId: ctx.user.id, role: "student" }, ctx.now());
      }
      return { course: { id: course.id, title: course.title }, role: existing ?? ("student" as const), alreadyEnrolled: existing !== null };
    }),

  /** Instructors (global role): the courses the caller teaches. */
  taught: instructorProcedure.query(async ({ ctx }) => {
    const courses = await coursesForUser(ctx.db, ctx.user.id);
    return courses.filter((c) => c.role === "instructor").map(teachCourseView);
  }),

  /** Instructors of the course: the course with its settings and assignments, for the course page. */
  overview: courseProcedure.instructor.input(CourseInput).query(async ({ ctx }) => {
    const assignments = await assignmentsForCourse(ctx.db, ctx.course.id);
    return { course: teachCourseView(ctx.course), assignments: assignments.map(teachAssignmentView) };
  }),

  /** Instructors (global role): creates a course; the caller becomes its instructor. */
  create: instructorProcedure
    .input(z.object({ title: CourseTitle, settings: CourseSettings.optional() }).strict())
    .mutation(async ({ ctx, input }) => {
      const course = await createCourse(
        ctx.db,
        { title: input.title, settings: input.settings ?? { defaultAttempts: DEFAULT_ATTEMPTS } },
        ctx.now(),
      );
      await enroll(ctx.db, { courseId: course.id, userId: ctx.user.id, role: "instructor" }, ctx.now());
      return teachCourseView(course);
    }),

  /** Instructors of the course: its title and settings. */
  update: courseProcedure.instructor
    .input(z.object({ courseId: Id, title: CourseTitle.optional(), settings: CourseSettings.optional() }).strict())
    .mutation(async ({ ctx, input }) => {
      const course = await updateCourse(ctx.db, ctx.course.id, {
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.settings ? { settings: input.settings } : {}),
      });
      return teachCourseView(course);
    }),

  /** Instructors of the course: archived courses stay readable but take no new students. */
  archive: courseProcedure.instructor.input(z.object({ courseId: Id, archived: z.boolean() }).strict()).mutation(async ({ ctx, input }) => {
    await setCourseArchived(ctx.db, ctx.course.id, input.archived);
    return { archived: input.archived };
  }),

  /** Instructors of the course: a new join code; the old one stops working at once. */
  rotateJoinCode: courseProcedure.instructor.input(CourseInput).mutation(async ({ ctx }) => {
    return { joinCode: (await rotateJoinCode(ctx.db, ctx.course.id)).joinCode };
  }),

  /** Instructors of the course: its students and instructors. */
  members: courseProcedure.instructor.input(CourseInput).query(({ ctx }) => courseMembers(ctx.db, ctx.course.id)),

  /** Instructors of the course: removes a co-instructor (never the last one). */
  removeInstructor: courseProcedure.instructor.input(z.object({ courseId: Id, userId: Id }).strict()).mutation(async ({ ctx, input }) => {
    await removeCourseInstructor(ctx.db, { courseId: ctx.course.id, userId: input.userId });
    return { removed: input.userId };
  }),
});
