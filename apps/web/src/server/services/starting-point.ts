import { assignmentsForCourse, submissionsFor, type Assignment, type Db } from "@stepwise/db";
import { sameDataset } from "@stepwise/exercises";
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
 * What the previous step hands to this one: the student's latest passing submission of step N−1 in
 * the same course on the same dataset, for training steps 6 and 7; null elsewhere or when there is
 * none. "Passing" is the status as the student sees it (`visibleVerdict`), so a withheld outcome is
 * not revealed by the editor. The workflow engine will own this hand-over; until then this one
 * function is its only home, so it can be swapped for the engine's answer in one place.
 */
export async function previousStepModel(db: Db, input: { assignment: Assignment; userId: string; now: number }): Promise<StartingPoint | null> {
  const exercise = assignmentExercise(input.assignment);
  if (exercise.kind !== "training" || (exercise.step !== 6 && exercise.step !== 7)) return null;
  const previous = (await assignmentsForCourse(db, input.assignment.courseId)).filter((candidate) => {
    const other = assignmentExercise(candidate);
    return other.kind === "training" && other.step === exercise.step - 1 && sameDataset(other.dataset, exercise.dataset);
  });
  let best: StartingPoint | null = null;
  for (const assignment of previous) {
    const submissions = await submissionsFor(db, { assignmentId: assignment.id, userId: input.userId });
    // Newest first: the first passing one is this assignment's latest.
    const passing = submissions.find(
      (s) => s.payload.model !== undefined && s.verdict !== null && visibleVerdict(s.verdict, { deadline: assignment.deadline, now: input.now }).status === "passed",
    );
    if (passing && (best === null || passing.createdAt > best.submittedAt)) {
      best = { step: exercise.step - 1, submissionId: passing.id, assignmentId: assignment.id, submittedAt: passing.createdAt, ...editorModelOf(passing.payload) };
    }
  }
  return best;
}
