import { ForbiddenError } from "@stepwise/core/contracts";
import { draftFor, saveDraft } from "@stepwise/db";
import { z } from "zod";
import { DraftContent, readDraftContent } from "../services/drafts";
import { previousStepModel } from "../services/starting-point";
import { createTRPCRouter, requireAssignment, studentProcedure } from "../trpc";

const AssignmentId = z.string().min(1).max(100);

/** The assignment, if the caller is one of its course's students: drafts are a student's own work. */
async function studentAssignment(ctx: Parameters<typeof requireAssignment>[0], assignmentId: string) {
  const { assignment, role } = await requireAssignment(ctx, assignmentId);
  if (role !== "student") throw new ForbiddenError("Drafts are kept for the students of this course; instructors have none.");
  return assignment;
}

/**
 * The caller's own unsubmitted work on an assignment. There is no user id in any input: a student
 * reads and writes only their own draft.
 */
export const draftRouter = createTRPCRouter({
  /**
   * The caller's draft, or null; and, when there is none, where a training step's editor starts
   * (the model that passed the step before), or null for the starter.
   */
  get: studentProcedure.input(z.object({ assignmentId: AssignmentId }).strict()).query(async ({ ctx, input }) => {
    const assignment = await studentAssignment(ctx, input.assignmentId);
    const stored = await draftFor(ctx.db, { userId: ctx.user.id, assignmentId: assignment.id });
    const content = stored ? readDraftContent(stored.content) : null;
    const draft = stored && content ? { content, updatedAt: stored.updatedAt } : null;
    const start = draft ? null : await previousStepModel(ctx.db, { assignment, userId: ctx.user.id, now: ctx.now() });
    return { draft, start };
  }),

  /** Replaces the caller's draft; refused past the size cap with the size it has and the size allowed. */
  save: studentProcedure.input(z.object({ assignmentId: AssignmentId, content: DraftContent }).strict()).mutation(async ({ ctx, input }) => {
    const assignment = await studentAssignment(ctx, input.assignmentId);
    const saved = await saveDraft(ctx.db, { userId: ctx.user.id, assignmentId: assignment.id }, input.content, ctx.now());
    return { updatedAt: saved.updatedAt };
  }),
});
