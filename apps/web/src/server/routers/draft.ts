import { draftFor, saveDraft } from "@stepwise/db";
import { z } from "zod";
import { DraftContent, readDraftContent } from "../services/drafts";
import { previousStepModel } from "../services/starting-point";
import { assignmentProcedure, createTRPCRouter } from "../trpc";

const AssignmentId = z.string().min(1).max(100);

/**
 * The caller's own unsubmitted work on an assignment. There is no user id in any input: a student
 * reads and writes only their own draft. Students of the course only: drafts are a student's own
 * work, and instructors have none.
 */
export const draftRouter = createTRPCRouter({
  /**
   * The caller's draft, or null; and, when there is none, where a training step's editor starts
   * (the model that passed the step before), or null for the starter.
   */
  get: assignmentProcedure.student.input(z.object({ assignmentId: AssignmentId }).strict()).query(async ({ ctx }) => {
    const { assignment } = ctx;
    const stored = await draftFor(ctx.db, { userId: ctx.user.id, assignmentId: assignment.id });
    const content = stored ? readDraftContent(stored.content) : null;
    const draft = stored && content ? { content, updatedAt: stored.updatedAt } : null;
    const start = draft ? null : await previousStepModel(ctx.db, { assignment, userId: ctx.user.id, now: ctx.now() });
    return { draft, start };
  }),

  /** Replaces the caller's draft; refused past the size cap with the size it has and the size allowed. */
  save: assignmentProcedure.student
    .input(z.object({ assignmentId: AssignmentId, content: DraftContent }).strict())
    .mutation(async ({ ctx, input }) => {
      const { assignment } = ctx;
      const saved = await saveDraft(ctx.db, { userId: ctx.user.id, assignmentId: assignment.id }, input.content, ctx.now());
      return { updatedAt: saved.updatedAt };
    }),
});
