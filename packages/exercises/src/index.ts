import type { ExerciseDefinition } from "@stepwise/core/contracts";
import { NotFoundError } from "@stepwise/core/contracts";
import { imdbBeatBaseline } from "./catalog/imdb";
import { mnistBeatBaseline } from "./catalog/mnist";

/** The built-in catalogue, in workflow order. */
export const exercises: readonly ExerciseDefinition[] = [mnistBeatBaseline, imdbBeatBaseline];

export function listExercises(): readonly ExerciseDefinition[] {
  return exercises;
}

export function findExercise(id: string): ExerciseDefinition | undefined {
  return exercises.find((exercise) => exercise.id === id);
}

export function getExercise(id: string): ExerciseDefinition {
  const exercise = findExercise(id);
  if (!exercise) {
    throw new NotFoundError(`Unknown exercise "${id}"; expected one of: ${exercises.map((e) => e.id).join(", ")}.`);
  }
  return exercise;
}

export { withOverrides } from "./overrides";
