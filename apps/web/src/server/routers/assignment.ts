import { NotFoundError } from "@stepwise/core/contracts";
import {
  auditForAssignment,
  assignmentsForCourse,
  clearExtension,
  countAttempts,
  courseMembers,
  createAssignment,
  deleteAssignment,
  extensionsFor,
  projectDecisions,
  recordAudit,
  setExtension,
  submissionsFor,
  testEvaluationsUsed,
  updateAssignment,
} from "@stepwise/db";
import { assignmentPlace, findExercise, listExercises, stepTarget } from "@stepwise/exercises";
import { toolboxPolicy } from "@stepwise/exercises/course";
import { z } from "zod";
import { assignmentExercise, assignmentTable, publicExercise, withTargetInMetric } from "../services/exercise-view";
import { courseSettings } from "../services/late-policy";
import { stepLock } from "../services/projects";
import { evaluatesOnTest } from "../services/submit";
import { CreateAssignmentInput, Id, UpdateAssignmentInput } from "../services/teach-schemas";
import { catalog, checkDatasetOverride, teachAssignmentView, teachCourseView } from "../services/teach-views";
import { summarizeSubmission } from "../services/verdict-view";
import { assignmentProcedure, courseProcedure, createTRPCRouter, instructorProcedure } from "../trpc";

const AssignmentInput = z.object({ assignmentId: Id }).strict();

/**
 * Assignments: what a member of the course reads, and what its instructors create and change
 * (every instructor procedure but `catalog` is scoped to the course or assignment in its input).
 */
export const assignmentRouter = createTRPCRouter({
  /** Members of the course: the exercise's public view (never seeds, data slices or hidden checks) and the caller's submissions. */
  byId: assignmentProcedure.member.input(z.object({ assignmentId: z.string().min(1).max(100) }).strict()).query(async ({ ctx }) => {
    const { assignment, role } = ctx;
    const exercise = assignmentExercise(assignment);
    const key = { assignmentId: assignment.id, userId: ctx.user.id };
    const [mine, attemptsUsed, testUsed, table, lock, decisions] = await Promise.all([
      submissionsFor(ctx.db, key),
      countAttempts(ctx.db, key),
      evaluatesOnTest(exercise) ? testEvaluationsUsed(ctx.db, assignment.id, ctx.user.id) : Promise.resolve(null),
      // An uploaded table: the text and the starter model are made from it, not the built-in table.
      assignmentTable(ctx.db, assignment, exercise),
      role === "student"
        ? stepLock(ctx.db, { courseId: assignment.courseId, assignmentId: assignment.id, userId: ctx.user.id, now: ctx.now() })
        : Promise.resolve(null),
      // Steps 2–4's choices as the student sees their verdicts: the grader holds the training steps to them.
      role === "student"
        ? projectDecisions(ctx.db, { assignment, userId: ctx.user.id, locate: assignmentPlace, now: ctx.now() })
        : Promise.resolve(undefined),
    ]);
    const target = stepTarget(exercise, decisions?.metric);
    return {
      assignment: {
        id: assignment.id,
        courseId: assignment.courseId,
        title: assignment.title,
        deadline: assignment.deadline,
        attemptsAllowed: assignment.attemptsAllowed,
        attemptsUsed,
        /** Step 7 only: evaluations on the hidden test set used and allowed (each graded submission is one); null elsewhere. */
        testEvaluations: testUsed === null ? null : { used: testUsed, limit: toolboxPolicy(assignment.overrides).testEvaluations },
        /** Step-7 toolbox techniques this assignment allows (augmentation, early-stopping, tuning); the workbench shows their fields. */
        techniques: toolboxPolicy(assignment.overrides).allowed,
      },
      role,
      /** Why the caller may not submit yet (a locked step of a guided course) and which step unlocks it; null when open. */
      lock,
      exercise: withTargetInMetric(publicExercise(exercise, assignment, table, decisions), target),
      /** A guided project's step-2–4 decisions for this training step; null in an independent course, for steps 1–4 and for instructors. */
      decisions: decisions ?? null,
      /** The target the final model must reach, in the metric chosen in step 2 when the exercise states one for it; null without a target. */
      target: target ?? null,
      submissions: mine.map((row) =>
        summarizeSubmission(row, role === "instructor" ? null : { deadline: assignment.deadline, now: ctx.now() }),
      ),
    };
  }),

  /** Instructors (global role): the exercise catalogue with each exercise's defaults, for the assignment form. */
  catalog: instructorProcedure.query(() => catalog()),

  /** Instructors of the course: the assignment with its extensions and the course's students, for the assignment page. */
  overview: assignmentProcedure.instructor.input(AssignmentInput).query(async ({ ctx }) => {
    const { assignment, course } = ctx;
    const [extensions, members] = await Promise.all([extensionsFor(ctx.db, assignment.id), courseMembers(ctx.db, course.id)]);
    return {
      course: teachCourseView(course),
      assignment: teachAssignmentView(assignment),
      extensions,
      students: members.students.map((s) => ({ userId: s.userId, email: s.email, name: s.name })),
    };
  }),

  /** Instructors of the course (`courseId` in the input): places an exercise in the course. */
  create: courseProcedure.instructor.input(CreateAssignmentInput).mutation(async ({ ctx, input }) => {
    const { course } = ctx;
    const exercise = findExercise(input.exerciseId);
    if (!exercise)
      throw new NotFoundError(
        `Unknown exercise "${input.exerciseId}"; expected one of: ${listExercises()
          .map((e) => e.id)
          .join(", ")}.`,
      );
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

  /** Instructors of the course: who changed what on the assignment, and every grade a regrade changed; newest first. */
  audit: assignmentProcedure.instructor.input(AssignmentInput).query(({ ctx }) => auditForAssignment(ctx.db, ctx.assignment.id)),

  /** Instructors of the course: changes the assignment; its exercise stays (submissions were made against it). */
  update: assignmentProcedure.instructor.input(UpdateAssignmentInput).mutation(async ({ ctx, input }) => {
    const { assignment } = ctx;
    if (input.overrides) await checkDatasetOverride(ctx.db, assignment.courseId, assignment.exerciseId, input.overrides);
    const { assignmentId: _id, title, ...patch } = input;
    const updated = await updateAssignment(
      ctx.db,
      assignment.id,
      { ...patch, ...(title !== undefined ? { title: title || (findExercise(assignment.exerciseId)?.title ?? assignment.title) } : {}) },
      { actorId: ctx.user.id, now: ctx.now() },
    );
    return teachAssignmentView(updated);
  }),

  /** Instructors of the course: only an assignment nobody has submitted to can be deleted. */
  delete: assignmentProcedure.instructor.input(AssignmentInput).mutation(async ({ ctx }) => {
    await deleteAssignment(ctx.db, ctx.assignment.id);
    return { deleted: ctx.assignment.id };
  }),

  /** Instructors of the course: a student's own deadline on the assignment (replaces an earlier extension). */
  setExtension: assignmentProcedure.instructor
    .input(
      z
        .object({
          assignmentId: Id,
          userId: Id,
          deadline: z.number().int().min(0).max(8_640_000_000_000_000).describe("ms since the epoch"),
        })
        .strict(),
    )
    .mutation(({ ctx, input }) => setExtension(ctx.db, { ...input, actorId: ctx.user.id }, ctx.now())),

  /** Instructors of the course: back to the assignment's deadline for one student. */
  clearExtension: assignmentProcedure.instructor
    .input(z.object({ assignmentId: Id, userId: Id }).strict())
    .mutation(async ({ ctx, input }) => {
      return { cleared: await clearExtension(ctx.db, input, { actorId: ctx.user.id, now: ctx.now() }) };
    }),
});
