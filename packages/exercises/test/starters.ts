import { type ExerciseDefinition, SubmissionPayload } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";

interface BuiltModel {
  toJSON(unused: null | undefined, returnString: false): unknown;
  dispose(): void;
}

/**
 * What a student submits who presses "submit" on an untouched exercise: the catalogue's starter code
 * run the way the browser runs it (`tf` in scope, a model returned), with the starter training
 * settings. The code is the catalogue's own, so running it here runs nothing a student wrote.
 */
export function starterSubmission(exercise: ExerciseDefinition, tf: Tf): SubmissionPayload {
  if (!exercise.starterCode || !exercise.starterTraining)
    throw new Error(`${exercise.id} has no starter code or starter training settings`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the catalogue's starter, as the browser's worker runs it
  const factory = new Function("tf", exercise.starterCode) as (t: Tf) => BuiltModel;
  const model = factory(tf);
  try {
    const topology = model.toJSON(null, false) as Record<string, unknown>;
    return SubmissionPayload.parse({ exerciseId: exercise.id, model: { format: "tfjs", topology }, training: exercise.starterTraining });
  } finally {
    model.dispose();
  }
}
