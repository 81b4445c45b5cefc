import type { DatasetRef, ExerciseDefinition } from "@stepwise/core/contracts";
import { NotFoundError } from "@stepwise/core/contracts";
import { answerExercises } from "./catalog/answers";
import { creditBeatBaseline, creditOverfit, creditRegularize, housesBeatBaseline, housesOverfit, housesRegularize } from "./catalog/csv";
import { creditData, housesData, imdbData, mnistData } from "./catalog/datasets";
import { imdbBeatBaseline } from "./catalog/imdb";
import { mnistBeatBaseline } from "./catalog/mnist";
import { imdbOverfit, mnistOverfit } from "./catalog/overfit";
import { imdbRegularize, mnistRegularize } from "./catalog/regularize";
import { withOverrides } from "./overrides";

const answerSteps = [mnistData, imdbData, creditData, housesData].flatMap(answerExercises);

/** The built-in catalogue, in workflow order (by step, then MNIST, IMDB, credit, houses). */
export const exercises: readonly ExerciseDefinition[] = [
  ...[...answerSteps].sort((a, b) => a.step - b.step),
  mnistBeatBaseline,
  imdbBeatBaseline,
  creditBeatBaseline,
  housesBeatBaseline,
  mnistOverfit,
  imdbOverfit,
  creditOverfit,
  housesOverfit,
  mnistRegularize,
  imdbRegularize,
  creditRegularize,
  housesRegularize,
];

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

/**
 * Where an assignment sits in the workflow: its exercise's step and the dataset as the assignment
 * places it (an uploaded CSV replaces the built-in data). Null for an exercise no longer in the
 * catalogue. The locator the database's `courseProjects` groups assignments by.
 */
export function assignmentPlace(assignment: {
  exerciseId: string;
  overrides: Record<string, unknown>;
}): { step: number; dataset: DatasetRef } | null {
  const exercise = findExercise(assignment.exerciseId);
  if (!exercise) return null;
  const placed = withOverrides(exercise, assignment.overrides);
  return { step: placed.step, dataset: placed.dataset };
}

export { withOverrides, assignmentPolicy, type AssignmentPolicy } from "./overrides";
export { answerExercises, type AnswerDataset } from "./catalog/answers";
export { CREDIT_COLUMNS, HOUSE_COLUMNS, creditData, housesData, imdbData, mnistData } from "./catalog/datasets";
export { onCsvTable, csvStarterCode, csvStarterTraining, csvSummary, csvTitle, tableFacts, type CsvTableFacts } from "./catalog/csv-table";
export { stepTarget, type StepTarget } from "./targets";
