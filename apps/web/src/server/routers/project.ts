import { ForbiddenError, NotFoundError } from "@stepwise/core/contracts";
import { clears, OverrideAction, StepId } from "@stepwise/core/workflow";
import {
  assignmentById,
  clearStepOverride,
  membership,
  projectView,
  setStepOverride,
  submissionById,
  type CourseRole,
  type Db,
  type User,
} from "@stepwise/db";
import { z } from "zod";
import { studentProjects } from "../services/projects";
import { authedProcedure, courseProcedure, createTRPCRouter } from "../trpc";

const Id = z.string().min(1).max(100);
const ProjectKey = z.string().min(1).max(300).describe("The project's key: mnist, imdb or csv:<file>:<target>");

/**
 * Whose projects, for a member of the course: their own, or (for an instructor of the course) one
 * student's. Students asking for someone else are refused like any course they do not teach.
 */
async function subjectOf(ctx: { db: Db; user: User; role: CourseRole }, courseId: string, studentId: string | undefined): Promise<string> {
  if (studentId === undefined || studentId === ctx.user.id) return ctx.user.id;
  if (ctx.role !== "instructor") throw new ForbiddenError("Only the instructors of this course may do that.");
  await requireStudent(ctx.db, courseId, studentId);
  return studentId;
}

/** Instructors act on the course's students only (not on other instructors or their own projects); anyone else reads as missing. */
async function requireStudent(db: Db, courseId: string, studentId: string): Promise<void> {
  if ((await membership(db, courseId, studentId)) !== "student")
    throw new NotFoundError(`No student with id "${studentId}" in this course.`);
}

export const projectRouter = createTRPCRouter({
  /** Members of the course: every project (one per dataset) of the caller, or of one student for an instructor, with each step's state. */
  list: courseProcedure.member.input(z.object({ courseId: Id, studentId: Id.optional() }).strict()).query(async ({ ctx, input }) => {
    const userId = await subjectOf(ctx, input.courseId, input.studentId);
    return (await studentProjects(ctx.db, input.courseId, userId, ctx.now())).map(projectView);
  }),

  /** Members of the course: one project by its key (another student's for instructors only). */
  byId: courseProcedure.member
    .input(z.object({ courseId: Id, project: ProjectKey, studentId: Id.optional() }).strict())
    .query(async ({ ctx, input }) => {
      const userId = await subjectOf(ctx, input.courseId, input.studentId);
      const project = (await studentProjects(ctx.db, input.courseId, userId, ctx.now())).find((p) => p.key === input.project);
      if (!project) throw new NotFoundError(`This course has no project "${input.project}".`);
      return projectView(project);
    }),

  /**
   * The step after a submission's, once the submission's step has passed (or is graded with its
   * result withheld, which opens it as a pass would): where "Next: step N" leads. Null for another
   * student's submission, a step not passed, or the project's last step. Any signed-in user.
   */
  next: authedProcedure.input(z.object({ submissionId: Id }).strict()).query(async ({ ctx, input }) => {
    const submission = await submissionById(ctx.db, input.submissionId);
    if (!submission || submission.userId !== ctx.user.id) return null;
    const assignment = await assignmentById(ctx.db, submission.assignmentId);
    if (!assignment) return null;
    const projects = await studentProjects(ctx.db, assignment.courseId, ctx.user.id, ctx.now());
    for (const project of projects) {
      const index = project.steps.findIndex((s) => s.assignmentIds.includes(assignment.id));
      const step = project.steps[index];
      const following = project.steps[index + 1];
      if (!step) continue;
      if (!clears(step.status) || !following) return null;
      return {
        courseId: assignment.courseId,
        assignmentId: following.assignmentId,
        number: following.number,
        title: following.title,
        project: project.label,
      };
    }
    return null;
  }),

  /**
   * An instructor of the course opens or passes one step of one student's project, whatever its
   * prerequisites, or undoes their override of it (`clear`).
   */
  override: courseProcedure.instructor
    .input(
      z
        .object({
          courseId: Id,
          studentId: Id,
          project: ProjectKey,
          stepId: StepId,
          action: z.union([OverrideAction, z.literal("clear").describe("clear: undo the step's override")]),
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      await requireStudent(ctx.db, input.courseId, input.studentId);
      const userId = input.studentId;
      const projects = await studentProjects(ctx.db, input.courseId, userId, ctx.now());
      if (!projects.some((p) => p.key === input.project)) throw new NotFoundError(`This course has no project "${input.project}".`);
      const step = { courseId: input.courseId, userId, project: input.project, stepId: input.stepId };
      if (input.action === "clear") {
        if (!(await clearStepOverride(ctx.db, step)))
          throw new NotFoundError(`Step "${input.stepId}" of this student's project has no override to undo.`);
      } else await setStepOverride(ctx.db, { ...step, action: input.action, createdBy: ctx.user.id }, ctx.now());
      const updated = (await studentProjects(ctx.db, input.courseId, userId, ctx.now())).find((p) => p.key === input.project);
      if (!updated) throw new NotFoundError(`This course has no project "${input.project}".`);
      return projectView(updated);
    }),
});
