import type { DatasetRef, ExerciseDefinition, ProjectPreparation, ProjectProtocol, SubmissionPayload } from "@stepwise/core/contracts";
import type { InputScaling } from "@stepwise/core/datasets";
import type { CsvScaling } from "./csv";

/**
 * Step 4's preparation as a dataset's loader takes it: image scaling for MNIST, the numeric columns'
 * scaling for a table (pixels ÷ 255 means nothing there), nothing for IMDB. The grader and the
 * browser preview both read it here, so the preview trains on what the grader will.
 */
export function scalingFor(dataset: DatasetRef, preparation: ProjectPreparation | undefined): { imageScaling?: InputScaling; csvScaling?: CsvScaling } {
  const scaling = preparation?.scaling;
  if (!scaling) return {};
  if (dataset.kind === "mnist") return { imageScaling: scaling };
  if (dataset.kind === "csv" && scaling !== "divide-255") return { csvScaling: scaling };
  return {};
}

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
