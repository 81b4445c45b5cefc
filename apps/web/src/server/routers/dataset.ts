import { getExercise } from "@stepwise/exercises";
import { z } from "zod";
import { datasetView } from "../datasets";
import { createTRPCRouter, requireAssignment, studentProcedure } from "../trpc";

export const datasetRouter = createTRPCRouter({
  /** Facts and a few training examples of an assignment's dataset (never test data). */
  byAssignment: studentProcedure.input(z.object({ assignmentId: z.string().min(1).max(100) }).strict()).query(async ({ ctx, input }) => {
    const { assignment } = await requireAssignment(ctx, input.assignmentId);
    return datasetView(getExercise(assignment.exerciseId).dataset);
  }),
});
