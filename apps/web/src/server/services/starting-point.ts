import { assignmentById, previousStepSubmission, submissionsFor, type Assignment, type Db } from "@stepwise/db";
import { assignmentPlace } from "@stepwise/exercises";
import { assignmentExercise } from "./exercise-view";
import { editorModelOf, type EditorModel } from "./drafts";
import { visibleVerdict } from "./verdict-view";

/** Where a training step's editor starts when the student has no draft: the model they passed the step before with. */
export interface StartingPoint extends EditorModel {
  /** The step that model passed (5 for step 6, 6 for step 7). */
  step: number;
  submissionId: string;
  assignmentId: string;
  submittedAt: number;
}

/**
 * What the previous step hands to this one: the submission the workflow engine records as the
 * student's pass of step N−1 in this project (step 6 from step 5, step 7 from step 6) — the model
 * the grader also compares step 7 with. Null elsewhere, when there is none, or when that pass is not
 * visible to the student yet (`visibleVerdict`), so the editor never reveals a withheld outcome.
 */
export async function previousStepModel(
  db: Db,
  input: { assignment: Assignment; userId: string; now: number },
): Promise<StartingPoint | null> {
  const exercise = assignmentExercise(input.assignment);
  if (exercise.kind !== "training" || (exercise.step !== 6 && exercise.step !== 7)) return null;
  const passing = await previousStepSubmission(db, { assignment: input.assignment, userId: input.userId, locate: assignmentPlace });
  if (!passing?.payload.model) return null;
  const [assignment, graded] = await Promise.all([
    assignmentById(db, passing.assignmentId),
    submissionsFor(db, { assignmentId: passing.assignmentId, userId: input.userId }),
  ]);
  const verdict = graded.find((s) => s.id === passing.id)?.verdict;
  if (!assignment || !verdict || visibleVerdict(verdict, { deadline: assignment.deadline, now: input.now }).status !== "passed")
    return null;
  return {
    step: exercise.step - 1,
    submissionId: passing.id,
    assignmentId: assignment.id,
    submittedAt: passing.createdAt,
    ...editorModelOf(passing.payload),
  };
}
