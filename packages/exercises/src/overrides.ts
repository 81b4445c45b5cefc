import { Budgets, type ExerciseDefinition } from "@stepwise/core/contracts";

/**
 * The exercise as an assignment places it: the instructor's `overrides` on top of the built-in
 * definition. Today that is `overrides.budgets`, `target` and `baseline`; an override that does not parse is ignored rather
 * than breaking the page or the grader. Only keys the instructor wrote apply: `Budgets` has
 * defaults (maxBatchSize 4096) that would otherwise silently replace the exercise's own values.
 */
export function withOverrides(exercise: ExerciseDefinition, overrides: Record<string, unknown>): ExerciseDefinition {
  // Thresholds an instructor may move: the test-metric target and the nominal baseline.
  const numeric = (key: "target" | "baseline") => {
    const value = overrides[key];
    return typeof value === "number" && Number.isFinite(value) ? { [key]: value } : {};
  };
  exercise = { ...exercise, ...numeric("target"), ...numeric("baseline") };
  const raw = overrides.budgets;
  if (typeof raw !== "object" || raw === null) return exercise;
  const override = Budgets.partial().safeParse(raw);
  if (!override.success) return exercise;
  const given = new Set(Object.keys(raw));
  const picked = Object.fromEntries(Object.entries(override.data).filter(([key, value]) => given.has(key) && value !== undefined));
  return { ...exercise, budgets: { ...exercise.budgets, ...picked } };
}
