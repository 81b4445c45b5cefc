import { answerFacts, count } from "./facts";
import { check, number, type RuleInput, type RuleResult, text } from "./types";

/** Below this many training examples a single hold-out set is too small to trust: use K-fold. */
export const KFOLD_BELOW = 5_000;
export const MIN_FOLDS = 4;
export const MAX_FOLDS = 10;
/** Hold-out: enough to measure, not so much that training starves. */
export const HOLDOUT_RANGE = [0.1, 0.3] as const;
/** K-fold: each fold validates on 1/K of the data, give or take rounding. */
export const FOLD_FRACTION_TOLERANCE = 0.02;

/**
 * Step 3: the protocol must suit the amount of training data. Whether the student's later runs
 * really use K folds is not checked here (training steps validate with their own split).
 */
export function gradeEvaluationProtocol({ exercise, answers, options }: RuleInput): RuleResult {
  const { trainSize } = answerFacts(exercise.dataset, options);
  const protocol = text(answers, "protocol");
  const folds = number(answers, "folds");
  const fraction = number(answers, "validationFraction");
  const scarce = trainSize < KFOLD_BELOW;
  const kfold = protocol === "kfold" || protocol === "iterated-kfold";
  const protocolOk = scarce === kfold;
  const size = `${count(trainSize)} training examples`;
  const checks = [
    check(
      "protocol",
      protocolOk,
      scarce
        ? protocolOk
          ? `Right: with only ${size} a single validation set would be small and noisy; K-fold uses every example for validation once.`
          : `With only ${size} (fewer than ${count(KFOLD_BELOW)}), a hold-out set would be small and its score noisy: use K-fold cross-validation.`
        : protocolOk
          ? `Right: ${size} are plenty for a hold-out validation set.`
          : `With ${size} a hold-out validation set is large enough; K-fold would train ${Number.isFinite(folds) ? folds : "K"} times for little gain.`,
    ),
  ];
  if (kfold) {
    const foldsOk = Number.isInteger(folds) && folds >= MIN_FOLDS && folds <= MAX_FOLDS;
    checks.push(
      check(
        "folds",
        foldsOk,
        foldsOk
          ? `Right: K = ${folds} trains on ${((folds - 1) / folds).toFixed(2)} of the data each time.`
          : `Expected an integer K from ${MIN_FOLDS} to ${MAX_FOLDS}, got ${folds}: fewer folds validate on too little data, more cost training time for little gain.`,
      ),
    );
    const expected = foldsOk ? 1 / folds : undefined;
    const fractionOk = expected !== undefined && Math.abs(fraction - expected) <= FOLD_FRACTION_TOLERANCE;
    checks.push(
      check(
        "validation-fraction",
        fractionOk,
        expected === undefined
          ? `Each fold validates on 1/K of the data; fix K first (got ${fraction}).`
          : fractionOk
            ? `Right: each of the ${folds} folds validates on 1/${folds} = ${expected.toFixed(2)} of the training data.`
            : `With K = ${folds}, each fold validates on 1/${folds} = ${expected.toFixed(2)} of the training data, you answered ${fraction}.`,
      ),
    );
  } else {
    const [lo, hi] = HOLDOUT_RANGE;
    const fractionOk = fraction >= lo && fraction <= hi;
    const held = Math.round(trainSize * fraction);
    checks.push(
      check(
        "validation-fraction",
        fractionOk,
        fractionOk
          ? `Right: ${count(held)} of the ${size} validate, the rest train.`
          : `Expected a validation fraction from ${lo} to ${hi}, got ${fraction} (${count(held)} of ${size}): ${fraction < lo ? "too few to measure reliably" : "too many taken away from training"}.`,
      ),
    );
  }
  return { checks, metrics: { trainSize: { label: "Training examples", value: trainSize } } };
}
