import type { Question } from "@stepwise/core/contracts";

/**
 * Questions of steps 1–4. The option values are what the rules in this folder compare against,
 * so questions and rules live together; the catalogue only picks the set a dataset needs.
 */

export const INPUT_OPTIONS = [
  { value: "images", label: "28×28 grey-scale images of handwritten digits" },
  { value: "text", label: "The text of a movie review" },
  { value: "table", label: "One row of a table: numeric and categorical columns describing a case" },
  { value: "audio", label: "A short audio recording" },
  { value: "timeseries", label: "A time series of sensor readings" },
] as const;

export const TASK_OPTIONS = [
  { value: "binary", label: "Binary classification (two classes)" },
  { value: "multiclass", label: "Multiclass classification (more than two classes, one per example)" },
  { value: "regression", label: "Regression (a continuous number)" },
] as const;

export const METRIC_OPTIONS = [
  { value: "accuracy", label: "Accuracy" },
  { value: "precision-recall", label: "Precision and recall of the rare class" },
  { value: "f1", label: "F1 score of the rare class" },
  { value: "roc-auc", label: "ROC AUC" },
  { value: "mae", label: "Mean absolute error" },
] as const;

export const PROTOCOL_OPTIONS = [
  { value: "holdout", label: "Hold-out validation: one validation set split off the training data" },
  { value: "kfold", label: "K-fold cross-validation" },
  { value: "iterated-kfold", label: "Iterated K-fold cross-validation with shuffling" },
] as const;

/** Built-in targets; a CSV dataset offers its own column names instead. */
export const TARGET_OPTIONS = [
  { value: "digit", label: "Which digit (0–9) the image shows" },
  { value: "sentiment", label: "Whether the review is positive or negative" },
  { value: "rating", label: "The review's star rating from 1 to 10" },
  { value: "brightness", label: "The average brightness of the image" },
] as const;

type Option = { value: string; label: string };
const options = (list: readonly Option[]): Option[] => list.map((o) => ({ ...o }));

export function defineProblemQuestions(targets: readonly Option[] = TARGET_OPTIONS): Question[] {
  return [
    { id: "input", prompt: "What is one input example?", kind: "choice", options: options(INPUT_OPTIONS) },
    { id: "target", prompt: "What are you predicting?", kind: "choice", options: options(targets) },
    { id: "task", prompt: "Which kind of problem is it?", kind: "choice", options: options(TASK_OPTIONS) },
    {
      id: "classes",
      prompt: "How many classes does the target have? (0 for regression)",
      kind: "number",
      help: "Count the distinct values of the target in the training data.",
    },
  ];
}

export function chooseMetricQuestions(): Question[] {
  return [
    {
      id: "rarestClassShare",
      prompt: "What fraction of the training examples belong to the rarest class? (a number between 0 and 1; 0 for regression)",
      kind: "number",
      help: "The dataset page shows the class balance of the training split.",
    },
    { id: "metric", prompt: "Which measure of success will you use?", kind: "choice", options: options(METRIC_OPTIONS) },
  ];
}

export function evaluationProtocolQuestions(): Question[] {
  return [
    { id: "protocol", prompt: "How will you validate your models?", kind: "choice", options: options(PROTOCOL_OPTIONS) },
    { id: "folds", prompt: "Number of folds K (enter 1 for hold-out validation)", kind: "number" },
    {
      id: "validationFraction",
      prompt: "Fraction of the training data each validation run holds out (e.g. 0.2)",
      kind: "number",
      help: "With K-fold cross-validation each fold validates on 1/K of the data.",
    },
  ];
}

const fitOnTrainOnly = (what: string): Question => ({
  id: "fitOnTrainOnly",
  prompt: `Is ${what} computed on the training split only?`,
  kind: "boolean",
});

export const PIXEL_SCALING_OPTIONS = [
  { value: "none", label: "Keep the raw bytes 0–255" },
  { value: "divide-255", label: "Divide every pixel by 255 (values in [0, 1])" },
  { value: "standardize", label: "Subtract the mean pixel value and divide by the standard deviation" },
] as const;

export function mnistPrepareQuestions(): Question[] {
  return [
    { id: "pixelScaling", prompt: "How do you scale the pixel values?", kind: "choice", options: options(PIXEL_SCALING_OPTIONS) },
    fitOnTrainOnly("every scaling statistic (mean, standard deviation, maximum)"),
  ];
}

export const TEXT_ENCODING_OPTIONS = [
  { value: "multi-hot", label: "Multi-hot vectors: one column per vocabulary word, 1 when the review contains it" },
  { value: "sequences", label: "Sequences of word indices, padded to a fixed length, for an Embedding layer" },
  { value: "characters", label: "The raw characters of the review as their character codes" },
] as const;

export function imdbPrepareQuestions(): Question[] {
  return [
    { id: "encoding", prompt: "How do you turn a review into numbers?", kind: "choice", options: options(TEXT_ENCODING_OPTIONS) },
    { id: "vocabularySize", prompt: "How many of the most frequent words do you keep?", kind: "number" },
    fitOnTrainOnly("the vocabulary (the list of kept words)"),
  ];
}

export const NUMERIC_SCALING_OPTIONS = [
  { value: "none", label: "Keep the numbers as they are" },
  { value: "standardize", label: "Standardize each numeric column: subtract its mean, divide by its standard deviation" },
  { value: "min-max", label: "Rescale each numeric column to [0, 1] with its minimum and maximum" },
] as const;

export const CATEGORICAL_OPTIONS = [
  { value: "one-hot", label: "One-hot: one 0/1 column per category" },
  { value: "integer-codes", label: "Replace each category by an integer code 0, 1, 2, …" },
  { value: "drop", label: "Drop the categorical columns" },
] as const;

export function csvPrepareQuestions(): Question[] {
  return [
    { id: "numericScaling", prompt: "How do you scale the numeric columns?", kind: "choice", options: options(NUMERIC_SCALING_OPTIONS) },
    { id: "categorical", prompt: "How do you encode the categorical columns?", kind: "choice", options: options(CATEGORICAL_OPTIONS) },
    fitOnTrainOnly("every statistic (means, standard deviations, minimums, maximums, the list of categories)"),
  ];
}
