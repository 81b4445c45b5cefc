import { NotFoundError } from "@stepwise/core/contracts";
import {
  assignmentsForCourse,
  auditForAssignment,
  clearExtension,
  courseMembers,
  coursesForUser,
  createAssignment,
  createCourse,
  deleteAssignment,
  enroll,
  extensionsFor,
  removeCourseInstructor,
  recordAudit,
  rotateJoinCode,
  setCourseArchived,
  setExtension,
  updateAssignment,
  updateCourse,
} from "@stepwise/db";
import { findExercise, listExercises } from "@stepwise/exercises";
import { z } from "zod";
import { exportCourseFolder, importCourseFolder } from "../services/course-folder";
import { DEFAULT_ATTEMPTS, courseSettings } from "../services/late-policy";
import { CourseSettings, CourseTitle, CreateAssignmentInput, Id, UpdateAssignmentInput, ZipBase64 } from "../services/teach-schemas";
import { catalog, checkDatasetOverride, teachAssignmentView, teachCourseView } from "../services/teach-views";
import { assignmentProcedure, courseProcedure, createTRPCRouter, instructorProcedure } from "../trpc";

const CourseInput = z.object({ courseId: Id }).strict();
const AssignmentInput = z.object({ assignmentId: Id }).strict();

/**
 * Instructor procedures. Every one is gated twice: the global role and the course in its input
 * (`courseProcedure.instructor`/`assignmentProcedure.instructor`), so instructors never reach other
 * instructors' courses and students never reach these at all.
 */
export const teachRouter = createTRPCRouter({
  /** Courses the caller teaches. */
  courses: instructorProcedure.query(async ({ ctx }) => {
    const courses = await coursesForUser(ctx.db, ctx.user.id);
    return courses.filter((c) => c.role === "instructor").map(teachCourseView);
  }),

  /** One taught course with its assignments, for the course page. */
  course: courseProcedure.instructor.input(CourseInput).query(async ({ ctx }) => {
    const { course } = ctx;
    const assignments = await assignmentsForCourse(ctx.db, course.id);
    return { course: teachCourseView(course), assignments: assignments.map(teachAssignmentView) };
  }),

  /** Creates a course; the caller becomes its instructor. */
  createCourse: instructorProcedure
    .input(z.object({ title: CourseTitle, settings: CourseSettings.optional() }).strict())
    .mutation(async ({ ctx, input }) => {
      const course = await createCourse(ctx.db, { title: input.title, settings: input.settings ?? { defaultAttempts: DEFAULT_ATTEMPTS } }, ctx.now());
      await enroll(ctx.db, { courseId: course.id, userId: ctx.user.id, role: "instructor" }, ctx.now());
      return teachCourseView(course);
    }),

  updateCourse: courseProcedure.instructor
    .input(z.object({ courseId: Id, title: CourseTitle.optional(), settings: CourseSettings.optional() }).strict())
    .mutation(async ({ ctx, input }) => {
      const course = await updateCourse(ctx.db, input.courseId, { ...(input.title !== undefined ? { title: input.title } : {}), ...(input.settings ? { settings: input.settings } : {}) });
      return teachCourseView(course);
    }),

  /** Archived courses stay readable but take no new students. */
  archiveCourse: courseProcedure.instructor.input(z.object({ courseId: Id, archived: z.boolean() }).strict()).mutation(async ({ ctx, input }) => {
    await setCourseArchived(ctx.db, input.courseId, input.archived);
    return { archived: input.archived };
  }),

  /** A new join code; the old one stops working at once. */
  rotateJoinCode: courseProcedure.instructor.input(CourseInput).mutation(async ({ ctx, input }) => {
    return { joinCode: (await rotateJoinCode(ctx.db, input.courseId)).joinCode };
  }),

  members: courseProcedure.instructor.input(CourseInput).query(async ({ ctx, input }) => {
    return courseMembers(ctx.db, input.courseId);
  }),

  removeInstructor: courseProcedure.instructor.input(z.object({ courseId: Id, userId: Id }).strict()).mutation(async ({ ctx, input }) => {
    await removeCourseInstructor(ctx.db, { courseId: input.courseId, userId: input.userId });
    return { removed: input.userId };
  }),

  /** The exercise catalogue with each exercise's defaults, for the assignment form. */
  catalog: instructorProcedure.query(() => catalog()),

  /** One taught assignment with its extensions and the course's students, for the assignment page. */
  assignment: assignmentProcedure.instructor.input(AssignmentInput).query(async ({ ctx }) => {
    const { assignment, course } = ctx;
    const [extensions, members] = await Promise.all([extensionsFor(ctx.db, assignment.id), courseMembers(ctx.db, assignment.courseId)]);
    return {
      course: teachCourseView(course),
      assignment: teachAssignmentView(assignment),
      extensions,
      students: members.students.map((s) => ({ userId: s.userId, email: s.email, name: s.name })),
    };
  }),

  createAssignment: courseProcedure.instructor.input(CreateAssignmentInput).mutation(async ({ ctx, input }) => {
    const { course } = ctx;
    const exercise = findExercise(input.exerciseId);
    if (!exercise)
      throw new NotFoundError(`Unknown exercise "${input.exerciseId}"; expected one of: ${listExercises().map((e) => e.id).join(", ")}.`);
    await checkDatasetOverride(ctx.db, course.id, exercise.id, input.overrides);
    const existing = await assignmentsForCourse(ctx.db, course.id);
    const assignment = await createAssignment(
      ctx.db,
      {
        courseId: course.id,
        exerciseId: exercise.id,
        title: input.title || exercise.title,
        overrides: input.overrides,
        deadline: input.deadline,
        attemptsAllowed: input.attemptsAllowed === undefined ? courseSettings(course).defaultAttempts : input.attemptsAllowed,
        position: input.position ?? Math.min(99, Math.max(0, ...existing.map((a) => a.position)) + 1),
      },
      ctx.now(),
    );
    await recordAudit(ctx.db.kysely, {
      courseId: course.id,
      assignmentId: assignment.id,
      actorId: ctx.user.id,
      action: "assignment.created",
      after: { exerciseId: assignment.exerciseId, title: assignment.title, deadline: assignment.deadline, overrides: assignment.overrides },
      now: ctx.now(),
    });
    return teachAssignmentView(assignment);
  }),

  /** Who changed what on a taught assignment, and every grade a regrade changed; newest first. */
  audit: assignmentProcedure.instructor.input(AssignmentInput).query(async ({ ctx }) => {
    const { assignment } = ctx;
    return auditForAssignment(ctx.db, assignment.id);
  }),

  /** Changes an assignment; its exercise stays (submissions were made against it). */
  updateAssignment: assignmentProcedure.instructor.input(UpdateAssignmentInput).mutation(async ({ ctx, input }) => {
    const { assignment } = ctx;
    if (input.overrides) await checkDatasetOverride(ctx.db, assignment.courseId, assignment.exerciseId, input.overrides);
    const { assignmentId, title, ...patch } = input;
    const updated = await updateAssignment(
      ctx.db,
      assignmentId,
      { ...patch, ...(title !== undefined ? { title: title || (findExercise(assignment.exerciseId)?.title ?? assignment.title) } : {}) },
      { actorId: ctx.user.id, now: ctx.now() },
    );
    return teachAssignmentView(updated);
  }),

  /** Only an assignment nobody has submitted to can be deleted. */
  deleteAssignment: assignmentProcedure.instructor.input(AssignmentInput).mutation(async ({ ctx, input }) => {
    await deleteAssignment(ctx.db, input.assignmentId);
    return { deleted: input.assignmentId };
  }),

  /** A student's own deadline on one assignment (replaces an earlier extension). */
  setExtension: assignmentProcedure.instructor
    .input(z.object({ assignmentId: Id, userId: Id, deadline: z.number().int().min(0).max(8_640_000_000_000_000).describe("ms since the epoch") }).strict())
    .mutation(async ({ ctx, input }) => {
      return setExtension(ctx.db, { ...input, actorId: ctx.user.id }, ctx.now());
    }),

  clearExtension: assignmentProcedure.instructor.input(z.object({ assignmentId: Id, userId: Id }).strict()).mutation(async ({ ctx, input }) => {
    return { cleared: await clearExtension(ctx.db, input, { actorId: ctx.user.id, now: ctx.now() }) };
  }),

  /** The course as a zipped course folder, base64 (the GET route /api/teach/:courseId/folder serves the same bytes). */
  exportFolder: courseProcedure.instructor.input(CourseInput).query(async ({ ctx, input }) => {
    const { fileName, zip } = await exportCourseFolder(ctx.db, input.courseId);
    return { fileName, zipBase64: Buffer.from(zip).toString("base64") };
  }),

  /** Imports a zipped course folder (base64) as a new course taught by the caller. */
  importFolder: instructorProcedure.input(z.object({ zipBase64: ZipBase64 }).strict()).mutation(async ({ ctx, input }) => {
    const { course, warnings } = await importCourseFolder(ctx.db, ctx.user, Buffer.from(input.zipBase64, "base64"), ctx.now());
    return { course: teachCourseView(course), warnings };
  }),
});
