import { type ExerciseDefinition, ValidationError } from "@stepwise/core/contracts";
import { type Assignment, type Course, type Db, courseDataFiles } from "@stepwise/db";
import { getExercise, listExercises } from "@stepwise/exercises";
import { checkFolderFiles } from "./course-folder";
import { courseSettings } from "./late-policy";
import type { AssignmentOverrides } from "./teach-schemas";

/**
 * Check ids the training steps report, offered in the visibility editor. Answer steps report
 * checks named after what they test; the editor also takes any id typed in.
 */
const TRAINING_CHECKS: Record<number, string[]> = {
  5: ["beats-baseline", "claim-reproduced"],
  6: ["overfits"],
  7: ["smaller-gap", "reaches-target", "beats-baseline", "claim-reproduced"],
};

/** What the assignment form needs to know of an exercise: its defaults, so overrides are edited against them. */
export function catalogEntry(exercise: ExerciseDefinition) {
  return {
    id: exercise.id,
    step: exercise.step,
    title: exercise.title,
    kind: exercise.kind,
    dataset: exercise.dataset.kind,
    /** The built-in dataset, so the form can say what an uploaded CSV would replace. */
    builtInDataset: exercise.dataset,
    metric: exercise.metric,
    baseline: exercise.baseline ?? null,
    target: exercise.target ?? null,
    budgets: exercise.kind === "training" ? exercise.budgets : null,
    seed: exercise.seed,
    checks: [...new Set([...(TRAINING_CHECKS[exercise.step] ?? []), ...Object.keys(exercise.checkVisibility)])],
    hints: exercise.hints,
  };
}
export type CatalogEntry = ReturnType<typeof catalogEntry>;

export function catalog(): CatalogEntry[] {
  return listExercises().map(catalogEntry);
}

export function teachCourseView(course: Course) {
  return {
    id: course.id,
    title: course.title,
    joinCode: course.joinCode,
    archived: course.archived,
    createdAt: course.createdAt,
    settings: courseSettings(course),
  };
}

export function teachAssignmentView(assignment: Assignment) {
  const exercise = getExercise(assignment.exerciseId);
  return {
    id: assignment.id,
    courseId: assignment.courseId,
    exerciseId: assignment.exerciseId,
    exerciseTitle: exercise.title,
    step: exercise.step,
    title: assignment.title,
    overrides: assignment.overrides,
    deadline: assignment.deadline,
    attemptsAllowed: assignment.attemptsAllowed,
    position: assignment.position,
  };
}

/**
 * A dataset override is checked exactly as the course-folder loader checks it (the exercise must
 * fit the data, a CSV must be one of the course's and hold the target column), by validating a
 * one-assignment folder: an assignment saved here always survives export → import.
 */
export async function checkDatasetOverride(db: Db, courseId: string, exerciseId: string, overrides: AssignmentOverrides): Promise<void> {
  const dataset = overrides.dataset;
  if (!dataset) return;
  const data = dataset.kind === "csv" ? (await courseDataFiles(db, courseId)).filter((d) => d.file === dataset.file) : [];
  // JSON is YAML, so the loader reads these as written.
  const result = checkFolderFiles({
    "course.yaml": JSON.stringify({ title: "check", instructors: ["check@example.test"], settings: { defaultAttempts: 1 } }),
    "assignments/01-check.yaml": JSON.stringify({ exercise: exerciseId, dataset }),
    ...Object.fromEntries(data.map((d) => [d.file, d.csv])),
  });
  if (result.ok) return;
  const first = result.errors[0];
  const path = `overrides.${first?.path || "dataset"}`;
  const problems = result.errors.map((e) => `overrides.${e.path || "dataset"}: expected ${e.expected}, got ${e.got}`).join("\n");
  throw new ValidationError(problems, path);
}
