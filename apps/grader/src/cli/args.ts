import { findExercise, listExercises } from "@stepwise/exercises";
import { readSubmission } from "./input";
import { UsageError, type Values } from "./usage";

/** Flag values every command checks the same way. */

export function exerciseFrom(values: Values) {
  if (!values.exercise) throw new UsageError("--exercise <id> is required; `stepwise list` shows the ids.");
  const exercise = findExercise(values.exercise);
  if (!exercise)
    throw new UsageError(
      `Unknown exercise "${values.exercise}"; expected one of: ${listExercises()
        .map((e) => e.id)
        .join(", ")}.`,
    );
  return exercise;
}

export const positiveInt = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10) throw new UsageError(`--${name} must be an integer ≥ 10, got "${value}".`);
  return n;
};

/** `--seeds N`: train the model with N training seeds (1–10), as an assignment with `seeds: N` does. */
export const seedCount = (value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10) throw new UsageError(`--seeds must be an integer from 1 to 10, got "${value}".`);
  return n;
};

/**
 * Step 7 is graded against the student's step-6 model, as the grader does with their step-6
 * submission: `--previous` names that file (a submission JSON, or a bare model with the step-6
 * exercise's starter settings).
 */
export function previousModel(exercise: NonNullable<ReturnType<typeof findExercise>>, file: string | undefined) {
  if (exercise.kind !== "training" || exercise.step !== 7) {
    if (file !== undefined) throw new UsageError(`--previous applies to step 7 only; ${exercise.id} is step ${exercise.step}.`);
    return undefined;
  }
  if (file === undefined)
    throw new UsageError(`${exercise.id} compares your model with your step-6 model: pass it with --previous <file>.`);
  const overfit = listExercises().find((e) => e.step === 6 && JSON.stringify(e.dataset) === JSON.stringify(exercise.dataset)) ?? exercise;
  return readSubmission(file, overfit, {});
}
