import { NotFoundError } from "@stepwise/core/contracts";
import { applyRegrade, discardRegrade, regradeById, regradesForAssignment, startRegrade, type Db, type User } from "@stepwise/db";
import { z } from "zod";
import { regradeView } from "../services/regrade";
import { assignmentScope } from "../scope";
import { assignmentProcedure, createTRPCRouter, instructorProcedure } from "../trpc";

const Id = z.string().min(1).max(100);

/** Loads a regrade and checks the caller teaches its assignment's course. */
async function taughtRegrade(ctx: { db: Db; user: User }, regradeId: string) {
  const regrade = await regradeById(ctx.db, regradeId);
  if (!regrade) throw new NotFoundError(`No regrade with id "${regradeId}".`);
  const { assignment } = await assignmentScope(ctx, regrade.assignmentId, "instructor");
  return { regrade, assignment };
}

/**
 * Regrading after an assignment changed: `start` re-runs the grader on every submission as previews
 * that count for nothing yet, `status` shows each student's old → new score as they finish, then
 * `commit` applies them as the grades (all at once, once none is still running) or `discard` drops them.
 * Instructors of the assignment's course only.
 */
export const regradeRouter = createTRPCRouter({
  start: assignmentProcedure.instructor
    .input(z.object({ assignmentId: Id.describe("The assignment whose submissions to regrade") }).strict())
    .mutation(async ({ ctx }) => {
      const { assignment } = ctx;
      const { regrade, jobs } = await startRegrade(ctx.db, { assignmentId: assignment.id, createdBy: ctx.user.id, now: ctx.now() });
      return { regradeId: regrade.id, jobs };
    }),

  status: instructorProcedure.input(z.object({ regradeId: Id }).strict()).query(async ({ ctx, input }) => {
    const { regrade, assignment } = await taughtRegrade(ctx, input.regradeId);
    const view = await regradeView(ctx.db, regrade, assignment.courseId);
    return { ...view, assignment: { id: assignment.id, title: assignment.title, courseId: assignment.courseId } };
  }),

  /** The assignment's regrades, newest first, and the one being previewed if any. */
  forAssignment: assignmentProcedure.instructor.input(z.object({ assignmentId: Id }).strict()).query(async ({ ctx }) => {
    const { assignment } = ctx;
    const regrades = await regradesForAssignment(ctx.db, assignment.id);
    return {
      assignment: { id: assignment.id, title: assignment.title, courseId: assignment.courseId },
      regrades,
      previewing: regrades.find((r) => r.status === "previewing")?.id ?? null,
    };
  }),

  /** "Apply" the preview (tRPC reserves `apply` as a procedure name, hence `commit`). */
  commit: instructorProcedure.input(z.object({ regradeId: Id }).strict()).mutation(async ({ ctx, input }) => {
    const { regrade } = await taughtRegrade(ctx, input.regradeId);
    const result = await applyRegrade(ctx.db, { regradeId: regrade.id, now: ctx.now(), actorId: ctx.user.id });
    return { status: result.regrade.status, applied: result.applied, unchanged: result.unchanged, changed: result.changed };
  }),

  discard: instructorProcedure.input(z.object({ regradeId: Id }).strict()).mutation(async ({ ctx, input }) => {
    const { regrade } = await taughtRegrade(ctx, input.regradeId);
    const result = await discardRegrade(ctx.db, { regradeId: regrade.id, now: ctx.now(), actorId: ctx.user.id });
    return { status: result.regrade.status, cancelled: result.cancelled };
  }),
});
