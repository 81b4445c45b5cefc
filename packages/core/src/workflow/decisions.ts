import {
  MAX_GRADED_FOLDS,
  ProjectMetric,
  ProjectVocabularySize,
  type ProjectDecisions,
  type ProjectPreparation,
  type ProjectProtocol,
} from "../contracts/decisions";
import type { Handoff } from "./project";

type Answers = Record<string, string | number | boolean>;

function protocolOf(answers: Answers | undefined): ProjectProtocol | undefined {
  if (!answers) return undefined;
  const kind = answers.protocol;
  if (kind === "kfold" || kind === "iterated-kfold") {
    const chosen = Number(answers.folds);
    if (!Number.isInteger(chosen) || chosen < 2) return undefined;
    // Iterated K-fold repeats K-fold with reshuffled folds; the grader runs it once (the cost rule).
    return { kind: "kfold", folds: Math.min(chosen, MAX_GRADED_FOLDS), chosenFolds: chosen };
  }
  const split = Number(answers.validationFraction);
  return kind === "holdout" && split > 0 && split <= 0.5 ? { kind: "holdout", validationSplit: split } : undefined;
}

function preparationOf(answers: Answers | undefined): ProjectPreparation | undefined {
  // A table's numeric columns, or MNIST's pixels; IMDB's encoding is decided by the model's input layer.
  const scaling = answers?.numericScaling ?? answers?.pixelScaling;
  if (scaling === "standardize" || scaling === "min-max" || scaling === "divide-255" || scaling === "none")
    return { scaling, fittedOn: "training" };
  return undefined;
}

/** IMDB's kept words; the encoding itself is the model's input layer's choice (see above). */
function vocabularyOf(answers: Answers | undefined): number | undefined {
  const size = ProjectVocabularySize.safeParse(answers?.vocabularySize);
  return size.success ? size.data : undefined;
}

/**
 * What steps 2–4 decided for the training steps of a guided project, from the engine's hand-over:
 * the metric verdicts report first, the protocol the grader validates with, the preparation it
 * applies to the inputs, and on IMDB the vocabulary the model's input is built for. A step not passed decides nothing (the grader keeps the exercise's own).
 */
export function decisionsOf(handoff: Handoff): ProjectDecisions {
  const metric = ProjectMetric.safeParse(handoff.metric);
  const protocol = protocolOf(handoff.protocol);
  const preparation = preparationOf(handoff.preparation);
  const vocabularySize = vocabularyOf(handoff.preparation);
  return {
    ...(metric.success ? { metric: metric.data } : {}),
    ...(protocol ? { protocol } : {}),
    ...(preparation ? { preparation } : {}),
    ...(vocabularySize !== undefined ? { vocabularySize } : {}),
  };
}
