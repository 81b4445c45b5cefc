import type { ExerciseDefinition, SubmissionPayload } from "@stepwise/core/contracts";
import { type Assignment, type Db, projectDecisions } from "@stepwise/db";
import { assignmentPlace } from "@stepwise/exercises";
import { placedExercise, prepareTraining } from "@stepwise/exercises/grading";

/**
 * `stepwise submit`'s check of a training model against the exercise as the grader will place it for
 * this student: the assignment's overrides, then a guided project's decisions (IMDB: the model's
 * input must be built for step 4's vocabulary). Throws the grader's `ValidationError`/`BudgetError`,
 * before anything is stored.
 */
export async function checkAsPlaced(
  db: Db,
  input: { exercise: ExerciseDefinition; assignment: Assignment; userId: string; payload: SubmissionPayload; now: number },
): Promise<void> {
  if (input.exercise.kind !== "training") return;
  const decisions = await projectDecisions(db, {
    assignment: input.assignment,
    userId: input.userId,
    locate: assignmentPlace,
    now: input.now,
  });
  const placed = placedExercise(input.exercise, input.assignment.overrides, decisions);
  prepareTraining(placed, input.payload, placed.seed);
}
