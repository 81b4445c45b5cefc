import type { EpochMetrics } from "../contracts/training";
import type { Diagnostic } from "../contracts/verdict";
import {
  explodingGradients,
  LARGE_STEP,
  largestStep,
  learningRateTooLow,
  saturatedActivations,
  stepSentence,
  tinyUpdates,
  vanishingGradients,
} from "./evidence-rules";
import type { DiagnosticsInput } from "./diagnostics-input";
import { formatNumber, SMALL_TEST_SPLIT } from "./format";

export type { DiagnosticsInput } from "./diagnostics-input";

export type DiagnosticRule = (input: DiagnosticsInput) => Diagnostic | undefined;

// Keras writes "hard_sigmoid", tf.js "hardSigmoid": compare in one spelling.
const norm = (name: string): string => name.toLowerCase().replace(/_/g, "");
const SQUASHING = new Set(["sigmoid", "hardsigmoid", "tanh", "softmax", "softsign"]);
const CROSSENTROPY = new Set(["categoricalcrossentropy", "sparsecategoricalcrossentropy", "binarycrossentropy"]);
const numClassesOf = (task: DiagnosticsInput["task"]): number => (task.kind === "binary" ? 2 : (task.numClasses ?? 0));

export const softmaxWithBinaryCrossentropy: DiagnosticRule = ({ spec }) =>
  norm(spec.lastActivation) === "softmax" && norm(spec.loss) === "binarycrossentropy" && spec.outputUnits > 1
    ? {
        code: "softmax-binary-crossentropy",
        message:
          "Your output layer uses softmax but the loss is binaryCrossentropy, which scores each output unit as its own yes/no question.",
        hint: "For one label out of several classes use categoricalCrossentropy (one-hot labels) or sparseCategoricalCrossentropy (integer labels) with softmax.",
      }
    : undefined;

export const sigmoidOnMulticlass: DiagnosticRule = ({ spec, task }) =>
  task.kind === "multiclass" && ["sigmoid", "hardsigmoid"].includes(norm(spec.lastActivation))
    ? {
        code: "sigmoid-multiclass",
        message: `Your output layer uses ${spec.lastActivation} on a task with ${numClassesOf(task)} classes: the outputs don't add up to 1, so they aren't a choice between classes.`,
        hint: `Use softmax with ${numClassesOf(task)} units and categoricalCrossentropy or sparseCategoricalCrossentropy.`,
      }
    : undefined;

export const squashingOnRegression: DiagnosticRule = ({ spec, task }) =>
  task.kind === "regression" && SQUASHING.has(norm(spec.lastActivation))
    ? {
        code: "squashing-regression-output",
        message: `Your output layer uses ${spec.lastActivation}, which squeezes every prediction into a small range, but this task predicts an unbounded number.`,
        hint: "Use a linear output (no activation) for regression.",
      }
    : undefined;

export const softmaxSingleUnit: DiagnosticRule = ({ spec }) =>
  norm(spec.lastActivation) === "softmax" && spec.outputUnits === 1
    ? {
        code: "softmax-single-unit",
        message: "Softmax over a single unit always outputs 1, whatever the input: the model cannot learn anything.",
        hint: "For two classes use 1 unit with sigmoid and binaryCrossentropy, or 2 units with softmax.",
      }
    : undefined;

export const outputUnitsMismatch: DiagnosticRule = ({ spec, task }) => {
  const classes = numClassesOf(task);
  const expected = task.kind === "regression" ? [1] : task.kind === "binary" ? [1, 2] : classes > 0 ? [classes] : [spec.outputUnits];
  if (expected.includes(spec.outputUnits)) return undefined;
  const what = task.kind === "regression" ? "one number per example" : `${classes} classes`;
  return {
    code: "output-units-mismatch",
    message: `Your output layer has ${spec.outputUnits} unit${spec.outputUnits === 1 ? "" : "s"}, but the task has ${what}.`,
    hint:
      task.kind === "regression"
        ? "Use a final Dense layer with 1 unit and no activation."
        : task.kind === "binary"
          ? "Use 1 unit with sigmoid (or 2 units with softmax)."
          : `Use a final Dense layer with ${classes} units and softmax.`,
  };
};

export const lossTaskMismatch: DiagnosticRule = ({ spec, task }) => {
  const loss = norm(spec.loss);
  if (task.kind === "regression" && CROSSENTROPY.has(loss)) {
    return {
      code: "loss-task-mismatch",
      message: `${spec.loss} measures how well classes are predicted, but this task predicts a number.`,
      hint: "Use meanSquaredError (or meanAbsoluteError) for regression.",
    };
  }
  if (task.kind === "binary" && spec.outputUnits === 1 && loss.startsWith("categorical")) {
    return {
      code: "loss-task-mismatch",
      message: `${spec.loss} over a single output unit is always 0, so the model gets no signal to learn from.`,
      hint: "With 1 sigmoid unit use binaryCrossentropy.",
    };
  }
  if (task.kind !== "regression" && (loss === "meansquarederror" || loss === "meanabsoluteerror")) {
    return {
      code: "loss-task-mismatch",
      message: `${spec.loss} is a regression loss; on a classification task it learns slowly and gives poorly calibrated probabilities.`,
      hint: task.kind === "binary" ? "Use binaryCrossentropy with a sigmoid output." : "Use categoricalCrossentropy with a softmax output.",
    };
  }
  return undefined;
};

const losses = (history: readonly EpochMetrics[]): number[] => history.map((row) => row.loss);

export const lossNaN: DiagnosticRule = ({ history, spec }) =>
  history.some((row) => !Number.isFinite(row.loss) || (row.valLoss !== undefined && !Number.isFinite(row.valLoss)))
    ? {
        code: "loss-nan",
        message: "The loss became NaN or infinite: training diverged.",
        hint: `The learning rate ${formatNumber(spec.learningRate)} is probably too high; try ${formatNumber(spec.learningRate / 10)}. Also check that inputs are scaled to small values.`,
      }
    : undefined;

/** Loss more than doubled compared with the first epoch. */
export const lossExploding: DiagnosticRule = (input) => {
  const values = losses(input.history);
  const first = values[0];
  if (first === undefined || values.length < 2 || lossNaN(input)) return undefined;
  const peak = Math.max(...values.slice(1));
  return peak > 2 * first
    ? {
        code: "loss-exploding",
        message: `The loss grew from ${formatNumber(first)} to ${formatNumber(peak)} instead of shrinking.`,
        hint: `The learning rate ${formatNumber(input.spec.learningRate)} is probably too high; try ${formatNumber(input.spec.learningRate / 10)}.`,
      }
    : undefined;
};

/** Loss changed by less than 1 % over at least 3 epochs. */
export const lossFlat: DiagnosticRule = (input) => {
  const values = losses(input.history);
  const first = values[0];
  const last = values[values.length - 1];
  if (first === undefined || last === undefined || values.length < 3 || lossNaN(input) || learningRateTooHigh(input)) return undefined;
  if (Math.abs(last - first) > 0.01 * Math.abs(first)) return undefined;
  const lr = input.spec.learningRate;
  return {
    code: "loss-flat",
    message: `The loss stayed at ${formatNumber(first)} for ${values.length} epochs: the model is not learning.`,
    // A rate is "too low" only where the updates were measured tiny (or, without measurements, the rate
    // itself is tiny); otherwise a flat loss more often means no gradient reaches the weights.
    hint:
      tinyUpdates(input.evidence) || (!input.evidence && lr < 1e-4)
        ? `The learning rate ${formatNumber(lr)} is very small; try 1e-3 (adam) or 1e-2 (sgd).`
        : "No gradient seems to reach the weights: check for dead ReLU units (all-zero outputs), saturated sigmoid/tanh layers in a deep stack, and the input scale; the learning-rate range test shows whether any rate makes the loss fall.",
  };
};

/** Loss ended higher than it started, without exploding (that rule covers the dramatic case). */
export const lossNotDecreasing: DiagnosticRule = (input) => {
  const values = losses(input.history);
  const first = values[0];
  const last = values[values.length - 1];
  if (first === undefined || last === undefined || values.length < 3) return undefined;
  if (lossNaN(input) || lossExploding(input) || lossFlat(input)) return undefined;
  return last > first
    ? {
        code: "loss-not-decreasing",
        message: `The loss went from ${formatNumber(first)} to ${formatNumber(last)}: it did not decrease over training.`,
        hint: "Lower the learning rate, and check that labels match inputs (same order, same preprocessing).",
      }
    : undefined;
};

/**
 * The cross-entropy of guessing uniformly: ln(classes), or ln 2 for binary cross-entropy (per unit,
 * so in both layouts). Undefined for regression and for losses that are not cross-entropies.
 */
export function chanceLoss(task: DiagnosticsInput["task"], lossName: string): number | undefined {
  const classes = numClassesOf(task);
  const loss = norm(lossName);
  if (task.kind === "regression" || classes < 2 || !CROSSENTROPY.has(loss)) return undefined;
  return loss === "binarycrossentropy" ? Math.LN2 : Math.log(classes);
}

/**
 * How far above chance a cross-entropy must sit to mean "confidently wrong": a model that merely
 * learned nothing stays near chance; one thrown into saturated wrong answers by oversized updates
 * sits far above it (MNIST at learning rate 10: 14.5 against ln 10 = 2.3).
 */
const FAR_ABOVE_CHANCE = 1.5;

export function farAboveChance(loss: number, chance: number | undefined): boolean {
  return chance !== undefined && Number.isFinite(loss) && loss > FAR_ABOVE_CHANCE * chance;
}

/**
 * The learning rate is too high when the training loss ends far above chance (the updates overshot
 * into saturated, confidently wrong outputs), or at/above chance while single updates move a layer
 * by half its size or more. One epoch is enough evidence, unlike the curve-shape rules, and it is
 * the cause a "too low" reading of the flat curve would hide. Where the updates were measured and
 * were small, a loss far above chance has another cause (a wide initializer saturating the softmax),
 * so the rate is not blamed.
 */
export const learningRateTooHigh: DiagnosticRule = (input) => {
  const { history, task, spec, evidence } = input;
  const last = history[history.length - 1]?.loss;
  // A loss that exploded over the epochs already names the same cause.
  if (last === undefined || lossNaN(input) || lossExploding(input)) return undefined;
  const chance = chanceLoss(task, spec.loss);
  if (chance === undefined || !(last >= chance)) return undefined;
  const step = largestStep(evidence);
  const largeStep = step !== undefined && (step.firstStepChange ?? 0) >= LARGE_STEP;
  const far = farAboveChance(last, chance);
  if (step ? !largeStep : !far) return undefined;
  const measured = step && largeStep ? ` The first epoch shows it: ${stepSentence(step)}.` : "";
  return {
    code: "learning-rate-too-high",
    message: far
      ? `The training loss ended at ${formatNumber(last)}, far above the ${formatNumber(chance)} of guessing uniformly: ` +
        `the model gives confident wrong answers, which is what updates that overshoot do (learning rate ${formatNumber(spec.learningRate)}).${measured}`
      : `The training loss ended at ${formatNumber(last)}, no better than the ${formatNumber(chance)} of guessing uniformly, while the updates overshoot (learning rate ${formatNumber(spec.learningRate)}).${measured}`,
    hint: `Lower the learning rate tenfold, to ${formatNumber(spec.learningRate / 10)} (or run the learning-rate range test); also check that the inputs are scaled to small values.`,
  };
};

/** Cross-entropy stuck at the value of uniform guessing: ln(classes), or ln 2 for binary. */
export const lossAtChance: DiagnosticRule = (input) => {
  const { history, task, spec } = input;
  const classes = numClassesOf(task);
  const last = history[history.length - 1]?.loss;
  const chance = chanceLoss(task, spec.loss);
  if (chance === undefined || last === undefined) return undefined;
  if (history.length < 3 || lossNaN(input) || lossExploding(input) || lossFlat(input)) return undefined;
  return Math.abs(last - chance) < 0.02 * chance
    ? {
        code: "loss-at-chance",
        message: `The loss ended at ${formatNumber(last)}, the value of guessing uniformly among ${classes} classes (${formatNumber(chance)}).`,
        hint: "The model learned nothing from the inputs: check the learning rate, the input scale and that labels line up with inputs.",
      }
    : undefined;
};

/** One class for ≥ 95 % of predictions, or outputs that hardly move with the input. */
export const constantPredictions: DiagnosticRule = ({ predictions, task }) => {
  if (!predictions) return undefined;
  const total = predictions.predictedClassCounts.reduce((a, b) => a + b, 0);
  if (task.kind !== "regression" && total > 0) {
    const top = Math.max(...predictions.predictedClassCounts);
    const cls = predictions.predictedClassCounts.indexOf(top);
    if (top / total >= 0.95) {
      return {
        code: "constant-predictions",
        // On a small test split an exact share would count the hidden labels: 5 % steps there.
        message: `Your model answers class ${cls} for ${total < SMALL_TEST_SPLIT ? `about ${5 * Math.round((20 * top) / total)}` : Math.round((100 * top) / total)}% of the examples, whatever the input.`,
        hint: "It fell back to the most common answer: check the learning rate, the input scaling, and that the output activation fits the loss.",
      };
    }
  }
  if (predictions.outputStd < 1e-3) {
    return {
      code: "constant-predictions",
      message: "Your model's outputs hardly change from one example to the next.",
      hint: "It ignores its inputs: check the learning rate, the input scaling, and for dead ReLU units.",
    };
  }
  return undefined;
};

export const labelsNotShuffled: DiagnosticRule = ({ data }) =>
  data && !data.shuffled
    ? {
        code: "labels-not-shuffled",
        message:
          "Your training examples are ordered by label and shuffling is off, so each batch holds (nearly) one label and every step pulls the model toward it. " +
          "In Keras, validationSplit also takes the last part of the data, so validation sees labels training never saw.",
        hint: "Turn shuffling on (fit shuffle: true), or shuffle inputs and labels together (with the same permutation) before training.",
      }
    : undefined;

export const inputsNotNormalized: DiagnosticRule = ({ data }) =>
  data?.inputMin !== undefined && data.inputMax !== undefined && (data.inputMax > 10 || data.inputMin < -10)
    ? {
        code: "inputs-not-normalized",
        message: `Your inputs range from ${formatNumber(data.inputMin)} to ${formatNumber(data.inputMax)}; large inputs make gradients large and training unstable.`,
        // A standardized column can still reach ±10 when a few rows are extreme outliers (z ≈ √n for one).
        hint:
          "Scale them to about 0–1 (e.g. divide pixels by 255) or standardize each feature to mean 0, std 1. " +
          "A column still this large after standardizing has extreme outliers: clip it or take its logarithm.",
      }
    : undefined;

export const labelsNeedScaling: DiagnosticRule = ({ data, task }) =>
  task.kind === "regression" && data?.labelStd !== undefined && data.labelStd > 10
    ? {
        code: "labels-need-scaling",
        message: `Your targets vary with a standard deviation of ${formatNumber(data.labelStd)}, so the loss starts huge and the learning rate that suits it is hard to find.`,
        hint: "Standardize the targets (subtract the mean, divide by the std) and undo it when reporting predictions.",
      }
    : undefined;

/** Deep plain stacks on little data mostly add ways to fail (vanishing gradients, overfitting). */
export const tooManyLayers: DiagnosticRule = ({ spec, task }) => {
  const n = task.trainExamples;
  const limit = n === undefined ? 10 : n < 1000 ? 4 : n < 10_000 ? 6 : 10;
  return spec.numLayers > limit
    ? {
        code: "too-many-layers",
        message: `Your model has ${spec.numLayers} layers with weights${n === undefined ? "" : ` for ${n} training examples`}; more than ${limit} rarely helps here and makes training harder.`,
        hint: "Start with 1–2 hidden layers and add depth only when the model cannot fit the training data.",
      }
    : undefined;
};

/**
 * In checklist order: the model's wiring first, then the loss curve and the first epoch's evidence,
 * then outputs, then data.
 */
export const DIAGNOSTIC_RULES: readonly DiagnosticRule[] = [
  softmaxSingleUnit,
  softmaxWithBinaryCrossentropy,
  sigmoidOnMulticlass,
  squashingOnRegression,
  outputUnitsMismatch,
  lossTaskMismatch,
  lossNaN,
  lossExploding,
  learningRateTooHigh,
  explodingGradients,
  vanishingGradients,
  saturatedActivations,
  learningRateTooLow,
  lossFlat,
  lossNotDecreasing,
  lossAtChance,
  constantPredictions,
  labelsNotShuffled,
  inputsNotNormalized,
  labelsNeedScaling,
  tooManyLayers,
];

export function diagnose(input: DiagnosticsInput, rules: readonly DiagnosticRule[] = DIAGNOSTIC_RULES): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const rule of rules) {
    const diagnostic = rule(input);
    if (diagnostic) found.push(diagnostic);
  }
  return found;
}
