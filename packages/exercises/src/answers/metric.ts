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

/** Step 2: the measure of success must suit the class balance measured on the training split. */
export function gradeChooseMetric({ exercise, answers, options }: RuleInput): RuleResult {
  const facts = answerFacts(exercise.dataset, options);
  const metric = text(answers, "metric");
  const share = number(answers, "rarestClassShare");

  if (facts.task === "regression") {
    return {
      checks: [
        check("class-balance", share === 0, share === 0 ? "Right: a regression target has no classes." : `A regression target has no classes: expected 0, got ${share}.`),
        check(
          "metric",
          metric === "mae",
          metric === "mae" ? "Right: mean absolute error reads in the target's own unit." : `The target is a continuous number: expected mean absolute error, got ${metric}.`,
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

  const why = imbalanced
    ? `${rarestName} is only ${percent(rarest)} of the training data: a model always answering ${majorityName} is ${percent(majority)} accurate while finding none of them, so accuracy hides failure`
    : `the classes are balanced: the rarest, ${rarestName}, is ${percent(rarest)} of the training data against a fair share of ${percent(fair)}, so always answering ${majorityName} is only ${percent(majority)} accurate`;
  const advice = imbalanced
    ? "Measure how well the rare class is found: precision and recall, F1 or ROC AUC."
    : metric === "mae"
      ? "Mean absolute error is for regression targets; accuracy suits balanced classes."
      : facts.task === "binary"
        ? "Accuracy (or ROC AUC) is meaningful and simplest."
        : "Accuracy is meaningful and simplest; ROC AUC is defined for two classes.";
  return {
    checks: [
      check(
        "class-balance",
        shareOk,
        shareOk
          ? `Right: the rarest class, ${rarestName}, is ${percent(rarest)} of the training data.`
          : `The rarest class, ${rarestName}, is ${percent(rarest)} of the training data (a share of ${rarest.toFixed(3)}); you answered ${share}.`,
      ),
      check("metric", metricOk, metricOk ? `Right: ${why}.` : `${metric} does not fit: ${why}. ${advice}`),
    ],
    metrics: { rarestClassShare: { label: `Share of ${rarestName} in the training data`, value: rarest } },
  };
}
