import { countAttempts, projectDecisions, submissionsFor, testEvaluationsUsed } from "@stepwise/db";
import { assignmentPlace, stepTarget } from "@stepwise/exercises";
import { toolboxPolicy } from "@stepwise/exercises/course";
import { z } from "zod";
import { assignmentExercise, assignmentTable, publicExercise, withTargetInMetric } from "../services/exercise-view";
import { stepLock } from "../services/projects";
import { evaluatesOnTest } from "../services/submit";
import { summarizeSubmission } from "../services/verdict-view";
import { createTRPCRouter, requireAssignment, studentProcedure } from "../trpc";

export const assignmentRouter = createTRPCRouter({
  /** The exercise's public view (never seeds, data slices or hidden checks) and the caller's submissions. */
  byId: studentProcedure.input(z.object({ assignmentId: z.string().min(1).max(100) }).strict()).query(async ({ ctx, input }) => {
    const { assignment, role } = await requireAssignment(ctx, input.assignmentId);
    const exercise = assignmentExercise(assignment);
    const key = { assignmentId: assignment.id, userId: ctx.user.id };
    const [mine, attemptsUsed, testUsed, table, lock, decisions] = await Promise.all([
      submissionsFor(ctx.db, key),
      countAttempts(ctx.db, key),
      evaluatesOnTest(exercise) ? testEvaluationsUsed(ctx.db, assignment.id, ctx.user.id) : Promise.resolve(null),
      // An uploaded table: the text and the starter model are made from it, not the built-in table.
      assignmentTable(ctx.db, assignment, exercise),
      role === "student" ? stepLock(ctx.db, { courseId: assignment.courseId, assignmentId: assignment.id, userId: ctx.user.id, now: ctx.now() }) : Promise.resolve(null),
      // Steps 2–4's choices as the student sees their verdicts: the grader holds the training steps to them.
      role === "student" ? projectDecisions(ctx.db, { assignment, userId: ctx.user.id, locate: assignmentPlace, now: ctx.now() }) : Promise.resolve(undefined),
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
      submissions: mine.map((row) => summarizeSubmission(row, role === "instructor" ? null : { deadline: assignment.deadline, now: ctx.now() })),
    };
  }),
});
