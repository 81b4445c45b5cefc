import type { Budgets, ExerciseDefinition } from "@stepwise/core/contracts";
import { getExercise, withOverrides } from "@stepwise/exercises";
import type { Assignment } from "@stepwise/db";

/** What a student may see of an exercise: no seeds, no data slices, no check visibility rules. */
export interface PublicExercise {
  id: string;
  step: number;
  title: string;
  summary: string;
  kind: ExerciseDefinition["kind"];
  dataset: ExerciseDefinition["dataset"];
  metric: ExerciseDefinition["metric"];
  baseline: number | null;
  target: number | null;
  budgets: Budgets;
  starterCode: string | null;
  starterTraining: ExerciseDefinition["starterTraining"] | null;
  hints: string[];
  /** Questions of an answer or preprocessing step (empty for training steps); public by design. */
  questions: ExerciseDefinition["questions"];
}

/**
 * The exercise as the assignment places it (dataset, metric, thresholds, budgets, seed, hints): what
 * the grader grades, so what every student-facing view must describe.
 */
export function assignmentExercise(assignment: Pick<Assignment, "exerciseId" | "overrides">): ExerciseDefinition {
  return withOverrides(getExercise(assignment.exerciseId), assignment.overrides);
}

/** Budgets in force for an assignment: the exercise's with the instructor's overrides on top. */
export function effectiveBudgets(exercise: ExerciseDefinition, assignment: Pick<Assignment, "overrides">): Budgets {
  return withOverrides(exercise, assignment.overrides).budgets;
}

/**
 * The student's view of the exercise with the assignment's overrides applied (`withOverrides` is
 * idempotent, so an already-resolved exercise may be passed).
 */
export function publicExercise(builtIn: ExerciseDefinition, assignment: Pick<Assignment, "overrides">): PublicExercise {
  const exercise = withOverrides(builtIn, assignment.overrides);
  return {
    id: exercise.id,
    step: exercise.step,
    title: exercise.title,
    summary: exercise.summary,
    kind: exercise.kind,
    dataset: exercise.dataset,
    metric: exercise.metric,
    baseline: exercise.baseline ?? null,
    target: exercise.target ?? null,
    budgets: exercise.budgets,
    starterCode: exercise.starterCode ?? null,
    starterTraining: exercise.starterTraining ?? null,
    hints: exercise.hints,
    questions: exercise.questions,
  };
}
