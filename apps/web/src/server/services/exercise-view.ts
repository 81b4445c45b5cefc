import { Budgets, type ExerciseDefinition } from "@stepwise/core/contracts";
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
}

/**
 * Budgets in force for an assignment: the exercise's, with the instructor's `overrides.budgets`
 * on top when they parse (an unparsable override is ignored rather than breaking the page).
 */
export function effectiveBudgets(exercise: ExerciseDefinition, assignment: Pick<Assignment, "overrides">): Budgets {
  const raw = assignment.overrides.budgets;
  if (typeof raw !== "object" || raw === null) return exercise.budgets;
  const override = Budgets.partial().safeParse(raw);
  if (!override.success) return exercise.budgets;
  // Only keys the instructor wrote: `Budgets` has defaults (maxBatchSize 4096) that would
  // otherwise silently replace the exercise's own values.
  const given = new Set(Object.keys(raw));
  const picked = Object.fromEntries(Object.entries(override.data).filter(([key, value]) => given.has(key) && value !== undefined));
  return { ...exercise.budgets, ...picked };
}

export function publicExercise(exercise: ExerciseDefinition, assignment: Pick<Assignment, "overrides">): PublicExercise {
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
    budgets: effectiveBudgets(exercise, assignment),
    starterCode: exercise.starterCode ?? null,
    starterTraining: exercise.starterTraining ?? null,
    hints: exercise.hints,
  };
}
