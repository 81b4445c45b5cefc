import { z } from "zod";

/**
 * What a student decided in steps 2–4 of a guided project, as the grader applies it in steps 5–7.
 * The workflow engine derives it from the passing answers (`decisionsOf`); the grader records it in
 * the verdict's environment, so the student sees which of their choices the run was held to.
 */
export const ProjectMetric = z
  .enum(["accuracy", "precision-recall", "f1", "roc-auc", "mae"])
  .describe("Step 2's measure of success: what training verdicts report first and step 7's target is expressed in");
export type ProjectMetric = z.infer<typeof ProjectMetric>;

export const ProjectProtocol = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("holdout"),
      validationSplit: z.number().gt(0).max(0.5).describe("Fraction of the training rows held out for validation"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("kfold"),
      folds: z.number().int().min(2).max(10).describe("Folds the grader trains (the student's K, capped by the cost rule)"),
      chosenFolds: z.number().int().min(2).describe("The K the student chose in step 3"),
    })
    .strict(),
]);
export type ProjectProtocol = z.infer<typeof ProjectProtocol>;

export const ProjectPreparation = z
  .object({
    scaling: z
      .enum(["standardize", "min-max", "divide-255", "none"])
      .describe("How numeric inputs are scaled: standardize (mean 0, std 1), min-max (0–1), pixels ÷ 255, or raw"),
    fittedOn: z.literal("training").describe("Statistics come from the training rows only (step 4 passes only so)"),
  })
  .strict();
export type ProjectPreparation = z.infer<typeof ProjectPreparation>;

/**
 * IMDB's step 4: how many of the most frequent training words the project keeps. The encoding
 * (multi-hot or sequences) stays the model's input layer's to decide; the width it encodes over is this.
 */
export const ProjectVocabularySize = z
  .number()
  .int()
  .min(100)
  .max(20_000)
  .describe("Most frequent training words the model's input is built for (step 4 on IMDB), words");

export const ProjectDecisions = z
  .object({
    metric: ProjectMetric.optional(),
    protocol: ProjectProtocol.optional(),
    preparation: ProjectPreparation.optional(),
    vocabularySize: ProjectVocabularySize.optional(),
  })
  .strict();
export type ProjectDecisions = z.infer<typeof ProjectDecisions>;

/**
 * K-fold's cost rule: K folds plus the final model are K + 1 trainings, so the grader trains at most
 * this many folds (a K above it is graded as 5-fold, and the verdict says so) and gives the run
 * (folds + 1) × the exercise's time budget.
 */
export const MAX_GRADED_FOLDS = 5;

const METRIC_NAMES: Record<ProjectMetric, string> = {
  accuracy: "accuracy",
  "precision-recall": "precision and recall",
  f1: "F1",
  "roc-auc": "ROC AUC",
  mae: "mean absolute error",
};

/**
 * "Metric: recall (chosen in step 2) · Protocol: 5-fold (step 3) · Preparation: standardize, fitted on
 * training rows (step 4)", or on IMDB "… · Vocabulary: 5,000 most frequent training words (step 4)".
 */
export function describeDecisions(decisions: ProjectDecisions): string[] {
  const parts: string[] = [];
  if (decisions.metric) parts.push(`Metric: ${METRIC_NAMES[decisions.metric]} (chosen in step 2)`);
  const protocol = decisions.protocol;
  if (protocol?.kind === "holdout")
    parts.push(`Protocol: hold-out, ${Math.round(protocol.validationSplit * 100)}% of training rows validate (step 3)`);
  if (protocol?.kind === "kfold") {
    const capped =
      protocol.chosenFolds !== protocol.folds
        ? ` (you chose ${protocol.chosenFolds}; the grader trains at most ${MAX_GRADED_FOLDS} folds)`
        : "";
    parts.push(`Protocol: ${protocol.folds}-fold${capped} (step 3)`);
  }
  const preparation = decisions.preparation;
  if (preparation) {
    const how =
      preparation.scaling === "none"
        ? "inputs unscaled"
        : preparation.scaling === "divide-255"
          ? "pixels divided by 255"
          : preparation.scaling;
    parts.push(
      `Preparation: ${how}${preparation.scaling === "standardize" || preparation.scaling === "min-max" ? ", fitted on training rows" : ""} (step 4)`,
    );
  }
  if (decisions.vocabularySize !== undefined)
    parts.push(`Vocabulary: ${decisions.vocabularySize.toLocaleString("en-US")} most frequent training words (step 4)`);
  return parts;
}

export const metricName = (metric: ProjectMetric): string => METRIC_NAMES[metric];
