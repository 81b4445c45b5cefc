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
          : `There are ${size} (see the data panel): a 20% hold-out set would hold only ${count(Math.round(trainSize * 0.2))} of them, and its score would move by several points from one random split to the next. Which protocol lets every example serve for validation once?`
        : protocolOk
          ? `Right: ${size} are plenty for a hold-out validation set.`
          : `K-fold cross-validation trains ${Number.isInteger(folds) && folds >= 2 ? folds : "K"} models to make up for a validation set too small to trust. There are ${size} (see the data panel): a 20% validation set would already hold ${count(Math.round(trainSize * 0.2))} of them. Is training K times worth it?`,
    ),
  ];
  if (kfold) {
    const foldsOk = Number.isInteger(folds) && folds >= MIN_FOLDS && folds <= MAX_FOLDS;
    const perFold = Number.isInteger(folds) && folds > 0 ? Math.round(trainSize / folds) : Number.NaN;
    checks.push(
      check(
        "folds",
        foldsOk,
        foldsOk
          ? `Right: K = ${folds} trains on ${((folds - 1) / folds).toFixed(2)} of the data each time.`
          : !Number.isInteger(folds) || folds < 2
            ? `K counts folds, so it is a whole number of at least 2, each fold validating on its own part of the ${size} (see the data panel); you answered ${folds}.`
            : folds < MIN_FOLDS
              ? `K = ${folds} trains each model on only ${((folds - 1) / folds).toFixed(2)} of the ${size} (see the data panel), so each model sees much less data than the final one will.`
              : `K = ${folds} trains ${folds} models, each validating on about ${count(perFold)} of the ${size} (see the data panel): many more training runs for little gain in a stable score.`,
      ),
    );
    const expected = foldsOk ? 1 / folds : undefined;
    const fractionOk = expected !== undefined && Math.abs(fraction - expected) <= FOLD_FRACTION_TOLERANCE;
    checks.push(
      check(
        "validation-fraction",
        fractionOk,
        expected === undefined
          ? `Each fold validates on 1/K of the ${size}; fix K first (got ${fraction}).`
          : fractionOk
            ? `Right: each of the ${folds} folds validates on 1/${folds} = ${expected.toFixed(2)} of the training data.`
            : `You answered ${fraction}. With K = ${folds}, the ${size} are cut into ${folds} equal parts and each fold validates on one of them, so that together the folds validate every example once: what share is one part?`,
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
          : `A validation fraction of ${fraction} holds out ${count(held)} of the ${size} (see the data panel): ${fraction < lo ? "too small a share for a validation score to be trusted" : "too much taken away from training, so the model you validate is weaker than the one you will train on all the data"}.`,
      ),
    );
  }
  return { checks, metrics: { trainSize: { label: "Training examples", value: trainSize } } };
}
