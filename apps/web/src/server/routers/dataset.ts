import type { DatasetRef } from "@stepwise/core/contracts";
import { getExercise } from "@stepwise/exercises";
import { sameData } from "@stepwise/core/workflow";
import { z } from "zod";
import { datasetView } from "../datasets";
import { studentExercise } from "../services/exercise-view";
import { assignmentProcedure, createTRPCRouter } from "../trpc";

export const datasetRouter = createTRPCRouter({
  /**
   * Members of the course: facts and a few training examples of the dataset the assignment grades on — the instructor's
   * override (an uploaded CSV) when there is one — never test data.
   */
  byAssignment: assignmentProcedure.member.input(z.object({ assignmentId: z.string().min(1).max(100) }).strict()).query(async ({ ctx }) => {
    const { assignment, role } = ctx;
    // A guided student's IMDB vocabulary (step 4) is the input width the panel states.
    const { exercise } = await studentExercise(ctx.db, assignment, { userId: ctx.user.id, role, now: ctx.now() });
    const view = await datasetView(ctx.db, assignment.courseId, exercise);
    const builtIn = getExercise(assignment.exerciseId).dataset;
    if (view.kind !== "csv" || sameData(builtIn, exercise.dataset)) return view;
    return { ...view, replaces: describe(builtIn) };
  }),
});

const describe = (ref: DatasetRef) => (ref.kind === "csv" ? `the table ${ref.file}` : ref.kind === "mnist" ? "MNIST" : "IMDB");
