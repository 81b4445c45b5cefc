import type { Budgets, ExerciseDefinition, ProjectDecisions } from "@stepwise/core/contracts";
import { type Assignment, type Db, projectDecisions } from "@stepwise/db";
import {
  assignmentPlace,
  findExercise,
  getExercise,
  onCsvTable,
  tableFacts,
  withOverrides,
  type CsvTableFacts,
  type StepTarget,
} from "@stepwise/exercises";
import { placedExercise } from "@stepwise/exercises/grading";
import { sameData } from "@stepwise/core/workflow";
import { AssignmentFile } from "@stepwise/exercises/course";
import { datasetView } from "../datasets";

/** What a student may see of an exercise: no seeds, no data slices, no check visibility rules. */
export interface PublicExercise {
  id: string;
  step: number;
  /** The assignment's title when the instructor gave it one; the exercise's (on the assignment's data) otherwise. */
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
 * The exercise as the assignment places it (dataset, metric, thresholds, budgets, seed, hints) and,
 * for a guided student, as their project's `decisions` place it (IMDB: step 4's vocabulary): what the
 * grader grades, so what every student-facing view must describe.
 */
export function assignmentExercise(
  assignment: Pick<Assignment, "exerciseId" | "overrides">,
  decisions?: ProjectDecisions,
): ExerciseDefinition {
  return placedExercise(getExercise(assignment.exerciseId), assignment.overrides, decisions);
}

/**
 * A student's view of an assignment's exercise: `assignmentExercise` with their guided project's
 * decisions (as their verdicts show them at `now`), and those decisions. Instructors see the
 * assignment's own exercise and no decisions.
 */
export async function studentExercise(
  db: Db,
  assignment: Assignment,
  viewer: { userId: string; role: string; now: number },
): Promise<{ exercise: ExerciseDefinition; decisions: ProjectDecisions | undefined }> {
  const decisions =
    viewer.role === "student"
      ? await projectDecisions(db, { assignment, userId: viewer.userId, locate: assignmentPlace, now: viewer.now })
      : undefined;
  return { exercise: assignmentExercise(assignment, decisions), decisions };
}

/** Budgets in force for an assignment: the exercise's with the instructor's overrides on top. */
export function effectiveBudgets(exercise: ExerciseDefinition, assignment: Pick<Assignment, "overrides">): Budgets {
  return withOverrides(exercise, assignment.overrides).budgets;
}

/**
 * The table an assignment's exercise is placed on when it is not the exercise's built-in data (an
 * uploaded CSV), as the grader encodes it; null on the built-in data, and when the table cannot be
 * read or its target does not fit (the dataset panel says why).
 */
export async function assignmentTable(
  db: Db,
  assignment: Pick<Assignment, "courseId" | "exerciseId">,
  exercise: ExerciseDefinition,
): Promise<CsvTableFacts | null> {
  if (exercise.dataset.kind !== "csv" || sameData(getExercise(assignment.exerciseId).dataset, exercise.dataset)) return null;
  try {
    const view = await datasetView(db, assignment.courseId, exercise);
    return view.kind === "csv" && "preview" in view ? tableFacts(view.preview) : null;
  } catch {
    return null;
  }
}

const figure = (x: number, metric: ExerciseDefinition["metric"]) => (metric === "mae" ? x.toLocaleString("en-US") : String(x));

/**
 * The built-in text states the built-in thresholds; an assignment that changes them says so. The
 * target is replaced where the text states it ("must reach 0.975"); a changed baseline is stated
 * after the text, whose figure describes guessing, not the assignment's bar.
 */
function restateThresholds(summary: string, original: ExerciseDefinition, placed: ExerciseDefinition): string {
  let text = summary;
  const notes: string[] = [];
  if (placed.target !== undefined && placed.target !== original.target) {
    const to = figure(placed.target, placed.metric);
    if (original.target !== undefined) {
      for (const from of new Set([String(original.target), original.target.toLocaleString("en-US")])) {
        text = text.replace(new RegExp(`(?<![\\d.,])${from.replace(/[.,]/g, "\\$&")}(?![\\d]|[.,]\\d)`, "g"), to);
      }
    }
    if (!text.includes(to))
      notes.push(`This assignment's target: a test ${placed.metric === "mae" ? "MAE of at most" : "accuracy of"} ${to}.`);
  }
  if (placed.baseline !== undefined && placed.baseline !== original.baseline) {
    notes.push(
      `Your instructor set this assignment's baseline to ${placed.baseline}: your model must beat the stronger of ${placed.baseline} and the majority-class rate of the test split.`,
    );
  }
  return [text, ...notes].join(" ");
}

/**
 * The text of a step whose target a guided student's step-2 metric moved (the credit table's recall
 * target instead of its accuracy one): the text states the exercise's own target, so the one in force
 * is stated after it.
 */
export function withTargetInMetric(exercise: PublicExercise, target: StepTarget | undefined): PublicExercise {
  if (!target || target.metric === exercise.metric) return exercise;
  const bound = target.higherIsBetter ? "at least" : "at most";
  return {
    ...exercise,
    summary: `${exercise.summary} In your project the target is in the metric you chose in step 2: ${target.name.toLowerCase()} of ${bound} ${target.value}.`,
  };
}

/**
 * The student's view of the exercise as the assignment places it: the instructor's overrides applied
 * (`withOverrides` is idempotent, so an already-resolved exercise may be passed), the assignment's own
 * title, text stating the assignment's thresholds, a guided project's `decisions` (IMDB's vocabulary:
 * the starter's input width and a sentence in the text), and — on a table other than the built-in one
 * (`table`, from `assignmentTable`) — text, starter model, settings and hints made from that table.
 */
export function publicExercise(
  exercise: ExerciseDefinition,
  assignment: Pick<Assignment, "overrides"> & Partial<Pick<Assignment, "title">>,
  table: CsvTableFacts | null = null,
  decisions?: ProjectDecisions,
): PublicExercise {
  const original = findExercise(exercise.id) ?? exercise;
  // The project's decisions come after the overrides: a guided student's step-4 vocabulary wins over an instructor's default.
  const placed = placedExercise(exercise, assignment.overrides, decisions);
  const onTable = table !== null && !sameData(original.dataset, placed.dataset);
  const ownHints = AssignmentFile.shape.hints.safeParse(assignment.overrides.hints).data !== undefined;
  const shown = onTable
    ? onCsvTable(placed, table, { ownHints })
    : { ...placed, summary: restateThresholds(placed.summary, original, placed) };
  // An assignment created without a title stores the built-in one: show the exercise's, which names the assignment's data.
  const title = assignment.title && assignment.title !== original.title ? assignment.title : shown.title;
  return {
    id: shown.id,
    step: shown.step,
    title,
    summary: shown.summary,
    kind: shown.kind,
    dataset: shown.dataset,
    metric: shown.metric,
    baseline: shown.baseline ?? null,
    target: shown.target ?? null,
    budgets: shown.budgets,
    starterCode: shown.starterCode ?? null,
    starterTraining: shown.starterTraining ?? null,
    hints: shown.hints,
    questions: shown.questions,
  };
}
