import type { ExerciseDefinition } from "@stepwise/core/contracts";
import { getExercise } from "../index";
import { withOverrides } from "../overrides";
import type { AssignmentFile } from "./schema";

/**
 * The exercise as the assignment places it: built-in definition plus the file's overrides, applied
 * by the same `withOverrides` the grader and the web app use for stored assignments. Attempts,
 * deadline, late penalty and number of seeds are course policy, not part of the exercise; the caller
 * stores them with the assignment (`assignmentPolicy` reads the last two back).
 */
export function assignmentExercise(assignment: AssignmentFile): ExerciseDefinition {
  const { exercise: id, title, ...overrides } = assignment;
  const exercise = withOverrides(getExercise(id), overrides);
  return title !== undefined ? { ...exercise, title } : exercise;
}
