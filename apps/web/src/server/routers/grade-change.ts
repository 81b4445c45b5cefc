import { NotFoundError } from "@stepwise/core/contracts";
import { assignmentsForCourse, markGradeChangesSeen, submissionById, unseenGradeChanges } from "@stepwise/db";
import { z } from "zod";
import { gradeNotice } from "../services/grade-notice";
import { authedProcedure, courseProcedure, createTRPCRouter } from "../trpc";

const Id = z.string().min(1).max(100);

/**
 * A student's grades that a regrade changed. The course page lists the ones not seen yet; opening the
 * submission marks them seen. Only the student's own changes: instructors read them in the audit log.
 */
export const gradeChangeRouter = createTRPCRouter({
  /** Members of the course: the caller's own changed grades not seen yet. */
  unseen: courseProcedure.member.input(z.object({ courseId: Id }).strict()).query(async ({ ctx, input }) => {
    const [changes, assignments] = await Promise.all([
      unseenGradeChanges(ctx.db, { courseId: input.courseId, userId: ctx.user.id }),
      assignmentsForCourse(ctx.db, input.courseId),
    ]);
    const byId = new Map(assignments.map((a) => [a.id, a]));
    return changes.map((change) => {
      const assignment = byId.get(change.assignmentId);
      return {
        ...gradeNotice(change, { deadline: assignment?.deadline ?? null, now: ctx.now() }),
        assignmentTitle: assignment?.title ?? "",
      };
    });
  }),

  /** Any signed-in user, on their own submission only. */
  markSeen: authedProcedure.input(z.object({ submissionId: Id }).strict()).mutation(async ({ ctx, input }) => {
    const submission = await submissionById(ctx.db, input.submissionId);
    // Another student's submission reads as missing, not as forbidden: ids are not an oracle.
    if (!submission || submission.userId !== ctx.user.id) throw new NotFoundError(`No submission with id "${input.submissionId}".`);
    return { marked: await markGradeChangesSeen(ctx.db, { submissionId: submission.id, userId: ctx.user.id, now: ctx.now() }) };
  }),
});
