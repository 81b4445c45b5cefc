import type { ExerciseDefinition, ModelSummary, SubmissionPayload, TrainingConfig } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import { parseModelSpec, validateTrainingConfig, withSeeds } from "@stepwise/core/model";
import { taskOf, type TaskInfo } from "./data";

export interface PreparedTraining {
  /** Validated TF.js topology with the job's seeds injected into every initializer. */
  topology: Record<string, unknown>;
  training: TrainingConfig;
  summary: ModelSummary;
  task: TaskInfo;
}

/**
 * Everything that can be decided about a training submission before any tensor exists: the model
 * parses, every layer is allowed, it fits the exercise's budgets. Throws `ValidationError` or
 * `BudgetError` (→ an `invalid` verdict that costs no attempt). The web app runs the same checks
 * at submit time, so the grader re-checking is defence in depth, not the first line.
 */
export function prepareTraining(exercise: ExerciseDefinition, payload: SubmissionPayload, seed: number): PreparedTraining {
  if (exercise.kind !== "training") {
    throw new ValidationError(`Exercise "${exercise.id}" is answered with a form, not a model.`, "model");
  }
  if (payload.exerciseId !== exercise.id) {
    throw new ValidationError(`This submission is for exercise "${payload.exerciseId}", expected "${exercise.id}".`, "exerciseId");
  }
  if (!payload.model) throw new ValidationError("A model is required for this step; none was sent.", "model");
  if (!payload.training) throw new ValidationError("Training settings (optimizer, loss, epochs, batch size) are required; none were sent.", "training");
  const parsed = parseModelSpec(payload.model, { maxParams: exercise.budgets.maxParams });
  validateTrainingConfig(payload.training, exercise.budgets, parsed.summary);
  return {
    topology: withSeeds(parsed.topology, seed) as Record<string, unknown>,
    training: payload.training,
    summary: parsed.summary,
    task: taskOf(exercise.dataset),
  };
}
