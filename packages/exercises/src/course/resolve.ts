import { type ExerciseDefinition, ExerciseDefinition as ExerciseSchema } from "@stepwise/core/contracts";
import { getExercise } from "../index";
import type { AssignmentFile } from "./schema";

/**
 * The exercise as the assignment places it: built-in definition plus the file's overrides.
 * Attempts, deadline, late penalty and number of seeds are course policy, not part of the exercise;
 * the caller stores them with the assignment.
 */
export function assignmentExercise(assignment: AssignmentFile): ExerciseDefinition {
  const exercise = getExercise(assignment.exercise);
  return ExerciseSchema.parse({
    ...exercise,
    ...(assignment.title !== undefined ? { title: assignment.title } : {}),
    ...(assignment.dataset !== undefined ? { dataset: assignment.dataset } : {}),
    ...(assignment.metric !== undefined ? { metric: assignment.metric } : {}),
    ...(assignment.baseline !== undefined ? { baseline: assignment.baseline } : {}),
    ...(assignment.target !== undefined ? { target: assignment.target } : {}),
    ...(assignment.seed !== undefined ? { seed: assignment.seed } : {}),
    ...(assignment.hints !== undefined ? { hints: assignment.hints } : {}),
    budgets: { ...exercise.budgets, ...assignment.budgets },
    checkVisibility: { ...exercise.checkVisibility, ...assignment.visibility },
  });
}
