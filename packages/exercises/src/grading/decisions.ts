import type { ExerciseDefinition, ProjectProtocol, SubmissionPayload } from "@stepwise/core/contracts";

/**
 * The exercise and submission as step 3's protocol has them graded: hold-out with the student's
 * validation fraction, or K-fold with the folds the cost rule allows. K-fold trains K fold models and
 * the final one, so the run gets (K + 1) × the exercise's time budget — each training keeps the
 * budget a hold-out run has. The student's own `validation` setting gives way to the project's.
 */
export function withProtocol(exercise: ExerciseDefinition, payload: SubmissionPayload, protocol: ProjectProtocol | undefined): { exercise: ExerciseDefinition; payload: SubmissionPayload } {
  if (!protocol || !payload.training) return { exercise, payload };
  const { validation: _own, ...training } = payload.training;
  if (protocol.kind === "holdout") {
    return { exercise, payload: { ...payload, training: { ...training, fit: { ...training.fit, validationSplit: protocol.validationSplit } } } };
  }
  return {
    exercise: { ...exercise, budgets: { ...exercise.budgets, maxSeconds: exercise.budgets.maxSeconds * (protocol.folds + 1) } },
    payload: { ...payload, training: { ...training, validation: { kind: "kfold", folds: protocol.folds } } },
  };
}
