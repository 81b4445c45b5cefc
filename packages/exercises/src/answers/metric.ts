import { answerFacts, percent } from "./facts";
import { check, number, type RuleInput, type RuleResult, text } from "./types";

/** Share tolerance: the student reads a rounded balance off the dataset page. */
export const SHARE_TOLERANCE = 0.005;

/**
 * Classes count as imbalanced when the rarest holds less than half its fair share (1/K): below that,
 * always answering the majority class already looks accurate.
 */
export const IMBALANCE_RATIO = 0.5;

const IMBALANCED_METRICS = ["precision-recall", "f1", "roc-auc"];

const METRIC_WORDS: Record<string, string> = {
  accuracy: "Accuracy",
  "precision-recall": "Precision and recall",
  f1: "The F1 score",
  "roc-auc": "ROC AUC",
  mae: "Mean absolute error",
};
const named = (metric: string) => METRIC_WORDS[metric] ?? metric;

/** Why the metric given does not suit a continuous target: the concept, never the expected metric. */
function regressionMetricFeedback(metric: string, target: string): string {
  return (
    `${named(metric)} judges class predictions, but the target${target} is a continuous number (see its range on the data panel): ` +
    "a predicted value is never exactly right, only nearer or farther. What would measure how far predictions are from the truth, in the target's own unit?"
  );
}

/**
 * Step 2: the measure of success must suit the class balance measured on the training split. Wrong
 * answers are told what their own choice measures and where the evidence is (the class balance table,
 * the target's range), never which answer is expected; measured shares are quoted only once the
 * student has read the rarest share right, since that share is the first question's answer.
 */
export function gradeChooseMetric({ exercise, answers, options }: RuleInput): RuleResult {
  const facts = answerFacts(exercise.dataset, options);
  const metric = text(answers, "metric");
  const share = number(answers, "rarestClassShare");
  const target = exercise.dataset.kind === "csv" ? ` \`${exercise.dataset.target}\`` : "";

  if (facts.task === "regression") {
    return {
      checks: [
        check(
          "class-balance",
          share === 0,
          share === 0
            ? "Right: a regression target has no classes."
            : `You answered ${share}. A class share exists only when the target takes a few category values; look at the target's range and its distinct values on the data panel (the question says what to enter otherwise).`,
        ),
        check(
          "metric",
          metric === "mae",
          metric === "mae" ? "Right: mean absolute error reads in the target's own unit." : regressionMetricFeedback(metric, target),
        ),
      ],
    };
  }

  const { classBalance: balance, classNames } = facts;
  const rarest = Math.min(...balance);
  const majority = Math.max(...balance);
  const rarestName = classNames[balance.indexOf(rarest)] ?? "the rarest class";
  const majorityName = classNames[balance.indexOf(majority)] ?? "the majority class";
  const fair = 1 / balance.length;
  const imbalanced = rarest < IMBALANCE_RATIO * fair;
  const allowed = imbalanced ? IMBALANCED_METRICS : facts.task === "binary" ? ["accuracy", "roc-auc"] : ["accuracy"];
  const shareOk = Math.abs(share - rarest) <= SHARE_TOLERANCE;
  const metricOk = allowed.includes(metric);
  // Accuracy on imbalanced classes is a choice the workflow lets the student make and then shows the
  // consequence of: the check stays, as advice, and the training verdicts show what accuracy hides.
  const accuracyHiding = imbalanced && metric === "accuracy";
  const table = "the class balance table on the data panel";
  const rarestShare = shareOk
    ? `${rarestName} is only ${percent(rarest)} of the training data`
    : `the rarest class is a small share of the training data (see ${table})`;

  const why = imbalanced
    ? `${rarestShare}: a model always answering ${majorityName} is ${percent(majority)} accurate while finding none of them, so accuracy hides failure`
    : shareOk
      ? `the classes are balanced: the rarest, ${rarestName}, is ${percent(rarest)} of the training data against a fair share of ${percent(fair)}, so always answering ${majorityName} is only ${percent(majority)} accurate`
      : `the classes are about equally common (see ${table})`;
  let wrong: string;
  if (metric === "mae") {
    wrong = `Mean absolute error measures how far a predicted number is from the true one, but these labels are classes (see ${table}): one class is not nearer to another by degrees.`;
  } else if (imbalanced) {
    wrong = `${named(metric)} does not fit: ${why}. What would a measure have to look at so that a model answering ${majorityName} for everyone scores badly?`;
  } else if (metric === "roc-auc") {
    wrong = `ROC AUC ranks one class's scores against the other's: it is defined for two classes. Count the classes in ${table}.`;
  } else {
    wrong = `${named(metric)} is about finding one rare class, but ${why}. No class is rare here: which simpler measure is meaningful when the classes are about equally common?`;
  }
  return {
    checks: [
      check(
        "class-balance",
        shareOk,
        shareOk
          ? `Right: the rarest class, ${rarestName}, is ${percent(rarest)} of the training data.`
          : `You answered ${share}. ${table[0]?.toUpperCase()}${table.slice(1)} lists each class's share of the training split: the rarest class is the row with the smallest share.`,
      ),
      accuracyHiding
        ? {
            ...check(
              "metric",
              false,
              `Accuracy is your call to make, but ${why}. Your training verdicts will report accuracy first and, beside it, the share of ${rarestName} the model finds.`,
            ),
            required: false,
          }
        : check("metric", metricOk, metricOk ? `Right: ${why}.` : wrong),
    ],
    ...(shareOk ? { metrics: { rarestClassShare: { label: `Share of ${rarestName} in the training data`, value: rarest } } } : {}),
  };
}
