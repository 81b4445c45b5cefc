import { countAttempts, submissionsFor } from "@stepwise/db";
import { z } from "zod";
import { assignmentExercise, publicExercise } from "../services/exercise-view";
import { summarizeSubmission } from "../services/verdict-view";
import { createTRPCRouter, requireAssignment, studentProcedure } from "../trpc";

export const assignmentRouter = createTRPCRouter({
  /** The exercise's public view (never seeds, data slices or hidden checks) and the caller's submissions. */
  byId: studentProcedure.input(z.object({ assignmentId: z.string().min(1).max(100) }).strict()).query(async ({ ctx, input }) => {
    const { assignment, role } = await requireAssignment(ctx, input.assignmentId);
    const exercise = assignmentExercise(assignment);
    const key = { assignmentId: assignment.id, userId: ctx.user.id };
    const [mine, attemptsUsed] = await Promise.all([submissionsFor(ctx.db, key), countAttempts(ctx.db, key)]);
    return {
      assignment: {
        id: assignment.id,
        courseId: assignment.courseId,
        title: assignment.title,
        deadline: assignment.deadline,
        attemptsAllowed: assignment.attemptsAllowed,
        attemptsUsed,
      },
      role,
      exercise: publicExercise(exercise, assignment),
      submissions: mine.map(summarizeSubmission),
    };
  }),
});
