import type {
  DatasetRef,
  ExerciseDefinition,
  ProjectDecisions,
  ProjectPreparation,
  ProjectProtocol,
  SubmissionPayload,
} from "@stepwise/core/contracts";
import type { InputScaling } from "@stepwise/core/datasets";
import { withOverrides } from "../overrides";
import { vocabularyNote, withVocabulary } from "../vocabulary";
import type { CsvScaling } from "./csv";

/**
 * The exercise as a guided project's decisions place it, for everything that resolves it for a
 * student (grader jobs of every kind, the step page, the preview data, the submission check): on
 * IMDB, step 4's vocabulary becomes the dataset's — fixed, so a model's input must be built for it
 * (`datasetForInput`) — with the starter model's input width and a sentence in the text to match.
 * Idempotent; without a vocabulary decision, or on other data, the exercise is returned as it is.
 */
export function withDecisions(exercise: ExerciseDefinition, decisions: ProjectDecisions | undefined): ExerciseDefinition {
  const size = decisions?.vocabularySize;
  if (size === undefined || exercise.dataset.kind !== "imdb") return exercise;
  if (exercise.dataset.fixedVocabulary && exercise.dataset.vocabularySize === size) return exercise;
  const { sequenceLength } = exercise.dataset;
  const placed = withVocabulary(exercise, {
    kind: "imdb",
    vocabularySize: size,
    ...(sequenceLength !== undefined ? { sequenceLength } : {}),
    fixedVocabulary: true,
  });
  return { ...placed, summary: `${placed.summary} ${vocabularyNote(size)}` };
}

/**
 * The exercise a student is held to: the built-in one with the assignment's overrides, then their
 * guided project's decisions (which win where both speak, e.g. an IMDB vocabulary). The one
 * composition every resolver uses — grader jobs, `stepwise submit`, the web step page.
 */
export function placedExercise(
  exercise: ExerciseDefinition,
  overrides: Record<string, unknown>,
  decisions: ProjectDecisions | undefined,
): ExerciseDefinition {
  return withDecisions(withOverrides(exercise, overrides), decisions);
}

/**
 * Step 4's preparation as a dataset's loader takes it: image scaling for MNIST, the numeric columns'
 * scaling for a table (pixels ÷ 255 means nothing there), nothing for IMDB. The grader and the
 * browser preview both read it here, so the preview trains on what the grader will.
 */
export function scalingFor(
  dataset: DatasetRef,
  preparation: ProjectPreparation | undefined,
): { imageScaling?: InputScaling; csvScaling?: CsvScaling } {
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
export function withProtocol(
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  protocol: ProjectProtocol | undefined,
): { exercise: ExerciseDefinition; payload: SubmissionPayload } {
  if (!protocol || !payload.training) return { exercise, payload };
  const { validation: _own, ...training } = payload.training;
  if (protocol.kind === "holdout") {
    return {
      exercise,
      payload: { ...payload, training: { ...training, fit: { ...training.fit, validationSplit: protocol.validationSplit } } },
    };
  }
  return {
    exercise: { ...exercise, budgets: { ...exercise.budgets, maxSeconds: exercise.budgets.maxSeconds * (protocol.folds + 1) } },
    payload: { ...payload, training: { ...training, validation: { kind: "kfold", folds: protocol.folds } } },
  };
}
