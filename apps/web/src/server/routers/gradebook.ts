import { NotFoundError } from "@stepwise/core/contracts";
import { gradebookData, identicalWork, membership, userById, type Db } from "@stepwise/db";
import { z } from "zod";
import { submissionDrillDown } from "../services/drill-down";
import { flagIdentical, gradebookSummary } from "../services/gradebook-summary";
import { buildGradebook, deadlines, GradebookQuery, penaltyFor, queryGradebook, scoreAttempt } from "../services/gradebook";
import { assignmentProcedure, courseProcedure, createTRPCRouter, submissionProcedure } from "../trpc";

const Id = z.string().min(1).max(100);

/** A course's gradebook; the caller's scope is checked before (`courseProcedure.instructor`, or `courseScope` in the export routes). */
export async function courseGradebook(db: Db, courseId: string) {
  const data = await gradebookData(db, { courseId });
  if (!data) throw new NotFoundError(`No course with id "${courseId}".`);
  return buildGradebook(data);
}

/** Instructors of the course only. */
export const gradebookRouter = createTRPCRouter({
  /** Students × assignments of a course: best late-adjusted score, status, late flag, attempts, pending, identical work; searched, filtered and sorted; with the class summary. */
  view: courseProcedure.instructor
    .input(z.object({ courseId: Id.describe("The course, which the caller must teach"), ...GradebookQuery.shape }).strict())
    .query(async ({ ctx, input }) => {
      const { courseId, ...query } = input;
      const built = await courseGradebook(ctx.db, courseId);
      if (query.assignmentId !== undefined && !built.assignments.some((a) => a.id === query.assignmentId))
        throw new NotFoundError(`The course has no assignment with id "${query.assignmentId}".`);
      const { gradebook, identical } = flagIdentical(
        built,
        await identicalWork(
          ctx.db,
          built.assignments.map((a) => a.id),
        ),
      );
      const shown = queryGradebook(gradebook, query);
      const columns = new Set(shown.assignments.map((a) => a.id));
      // All assignments too, for the filter's choices; `assignments` are the columns shown.
      return {
        ...shown,
        allAssignments: gradebook.assignments,
        students: gradebook.rows.length,
        /** The most a total can be: 100 points per column shown. */
        maxTotal: 100 * shown.assignments.length,
        summary: gradebookSummary(shown),
        identical: identical.filter((g) => columns.has(g.assignmentId)),
      };
    }),

  /** One student's attempts at one assignment, newest first, each with its current grading and lateness. */
  cell: assignmentProcedure.instructor
    .input(z.object({ assignmentId: Id, userId: Id.describe("The student whose attempts to list") }).strict())
    .query(async ({ ctx, input }) => {
      const { assignment } = ctx;
      // Only people of this course: an instructor must not look up anyone else by id.
      const [role, student] = await Promise.all([membership(ctx.db, assignment.courseId, input.userId), userById(ctx.db, input.userId)]);
      if (!role || !student) throw new NotFoundError(`No student with id "${input.userId}" in this course.`);
      const data = await gradebookData(ctx.db, { courseId: assignment.courseId, assignmentId: assignment.id });
      if (!data) throw new NotFoundError(`No course with id "${assignment.courseId}".`);
      const cell = buildGradebook(data).rows.find((r) => r.student.id === student.id)?.cells[0] ?? null;
      const deadline = deadlines(data)(assignment.id, student.id);
      const penalty = penaltyFor(assignment, data.settings);
      const attempts = data.attempts.filter((a) => a.userId === student.id).map((a) => scoreAttempt(a, deadline, penalty));
      return {
        assignment: { id: assignment.id, title: assignment.title, courseId: assignment.courseId },
        student: { id: student.id, name: student.name, email: student.email },
        cell,
        deadline,
        attempts: attempts.map(({ attempt, lateness, score }) => ({
          submissionId: attempt.submissionId,
          createdAt: attempt.createdAt,
          jobStatus: attempt.job?.status ?? null,
          verdictStatus: attempt.verdict?.status ?? null,
          /** The verdict's score, 0–1, before the late factor. */
          rawScore: attempt.verdict?.score ?? null,
          /** After the late factor; what the gradebook counts. */
          score,
          late: lateness.late,
          daysLate: lateness.daysLate,
          /** Step 7: the evidence when this configuration was chosen on its test score; null otherwise. */
          selectedOnTest: data.selectedOnTest.find((f) => f.submissionId === attempt.submissionId)?.flag ?? null,
        })),
      };
    }),

  /** A submission in full for its instructors: payload, model summary, every job with its full verdict and log. */
  submission: submissionProcedure.instructor.input(z.object({ submissionId: Id }).strict()).query(async ({ ctx }) => {
    return submissionDrillDown(ctx.db, { submission: ctx.submission, assignment: ctx.assignment });
  }),
});
