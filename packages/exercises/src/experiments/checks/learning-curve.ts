import type { EpochMetrics, TrainingConfig } from "@stepwise/core/contracts";
import { permutation, subset, type ExampleSet } from "@stepwise/core/datasets";
import { feed, finite, holdOut, num, pct, trainCurve, withFit, type ExperimentContext } from "../context";
import type { Finding } from "./finding";

/** Shares of the experiment's training examples each model trains on; nested, so each set holds the smaller ones. */
export const FRACTIONS = [0.1, 0.25, 0.5, 1] as const;

/** Most epochs one model trains for (the contract's limit on `fit.epochs`). */
const MAX_EPOCHS = 500;

/**
 * Fewest gradient steps each model takes. Each keeps its best epoch on validation, so training longer
 * never hurts the point; too short a run would measure the training time instead of the data.
 */
export const MIN_STEPS = 300;

/** Share of the examples held out, the same for every size, when the student's settings hold out none. */
const DEFAULT_VALIDATION = 0.2;

/** Share of the examples the learning curve validates on. */
export function validationShare(training: TrainingConfig): number {
  return training.fit.validationSplit > 0 ? training.fit.validationSplit : DEFAULT_VALIDATION;
}

/**
 * Epochs for the model trained on `size` examples when the largest trains on `fitSize`: every model
 * takes as many gradient steps as the student's settings take on all of them (at least `MIN_STEPS`),
 * so the curve measures the data, not how long each model trained.
 */
export function epochsFor(size: number, fitSize: number, fit: Pick<TrainingConfig["fit"], "epochs" | "batchSize">): number {
  const stepsPerEpoch = (n: number) => Math.max(1, Math.ceil(n / fit.batchSize));
  const steps = Math.max(MIN_STEPS, fit.epochs * stepsPerEpoch(fitSize));
  return Math.min(MAX_EPOCHS, Math.ceil(steps / stepsPerEpoch(size)));
}

/** Training examples of each model: nested shares of the examples left after the validation hold-out. */
const sizeOf = (fraction: number, fitSize: number) => Math.max(1, Math.round(fitSize * fraction));

/**
 * Examples pushed through the model in one learning-curve run on `examples` training examples: each
 * size trains its epochs and validates every epoch (a forward pass, about a third of a training step).
 * The budget estimate and `defaultTrainLimit` use it, so the charge follows what actually runs.
 */
export function learningCurveWork(training: TrainingConfig, examples: number): number {
  const share = validationShare(training);
  const fitSize = Math.max(1, Math.round(examples * (1 - share)));
  const validation = examples - fitSize;
  return FRACTIONS.reduce((total, f) => {
    const size = sizeOf(f, fitSize);
    return total + epochsFor(size, fitSize, training.fit) * (size + validation / 3);
  }, 0);
}

type Metric = "accuracy" | "loss";

const count = (n: number | undefined) => (n ?? 0).toLocaleString("en-US");

/** The epoch with the best validation metric: what this much data lets the model reach (as early stopping would keep). */
function bestRow(history: EpochMetrics[], metric: Metric): EpochMetrics | undefined {
  let best: EpochMetrics | undefined;
  for (const row of history) {
    const value = metric === "accuracy" ? row.valAccuracy : row.valLoss;
    if (value === undefined || !Number.isFinite(value)) continue;
    const current = best && (metric === "accuracy" ? best.valAccuracy : best.valLoss);
    if (current === undefined || (metric === "accuracy" ? value > current : value < current)) best = row;
  }
  return best;
}

/**
 * The smallest gain per doubling of the data that counts as still improving: a point of accuracy (or
 * half a standard error of the accuracy on this many validation examples, if that is more), or a
 * 2% lower loss. Less than that, and doubling the data, which is rarely cheap, buys little.
 */
function threshold(metric: Metric, value: number, validationExamples: number): number {
  if (metric === "loss") return 0.02;
  return Math.max(0.01, 0.5 * Math.sqrt((value * (1 - value)) / Math.max(1, validationExamples)));
}

/**
 * Gain per doubling over the last two doublings (25% → 100%, i.e. the slope against log₂ of the
 * examples through those points): two doublings average out some of the noise of one. Accuracy in
 * points, loss as a relative fall.
 */
function gainPerDoubling(metric: Metric, quarter: number | null, full: number | null): number {
  if (quarter === null || full === null) return 0;
  if (metric === "accuracy") return (full - quarter) / 2;
  return quarter > 0 ? 1 - Math.sqrt(full / quarter) : 0;
}

/**
 * "More data": the student's model trained on 10%, 25%, 50% and 100% of the experiment's training
 * examples, each validated on the same held-out examples. If validation still improves over the last
 * two doublings, more data would help; if it has levelled off, the model is what limits it.
 */
export async function learningCurveCheck(ctx: ExperimentContext): Promise<Finding> {
  const training = ctx.prepared.training;
  const metric: Metric = ctx.prepared.task.kind === "regression" ? "loss" : "accuracy";
  const { fit, validation } = holdOut(feed(ctx, ctx.train), validationShare(training), ctx.seed);
  const order = permutation(fit.n, ctx.seed + 2);
  const points = [];
  for (const fraction of FRACTIONS) {
    const count = sizeOf(fraction, fit.n);
    const part: ExampleSet = fraction === 1 ? fit : subset(fit, order.slice(0, count).sort());
    // Augmentation stays (it is part of how much the data teaches); early stopping does not: each size keeps its best epoch anyway.
    const { augmentation } = training.fit;
    const settings = withFit(training, {
      epochs: epochsFor(count, fit.n, training.fit),
      validationSplit: 0,
      ...(augmentation ? { augmentation } : {}),
    });
    const history = await trainCurve(ctx, part, settings, { validation });
    const row = bestRow(history, metric);
    points.push({
      fraction,
      examples: part.n,
      trainMetric: finite(metric === "accuracy" ? row?.accuracy : row?.loss),
      valMetric: finite(metric === "accuracy" ? row?.valAccuracy : row?.valLoss),
    });
  }

  const [, quarter, , full] = points;
  const fullValue = full?.valMetric ?? null;
  const gain = gainPerDoubling(metric, quarter?.valMetric ?? null, fullValue);
  const needed = threshold(metric, fullValue ?? 0, validation.n);
  const helps = gain >= needed;
  const show = (value: number | null) => (value === null ? "—" : metric === "accuracy" ? pct(value) : num(value));
  const curve = points.map((p) => `${show(p.valMetric)} with ${count(p.examples)}`).join(", ");
  const trainFull = full?.trainMetric ?? null;
  const gap = trainFull === null || fullValue === null ? null : metric === "accuracy" ? trainFull - fullValue : fullValue - trainFull;
  const bigGap = gap !== null && (metric === "accuracy" ? gap > 0.05 : trainFull !== null && gap > 0.25 * Math.abs(trainFull));
  const change = metric === "accuracy" ? `${(gain * 100).toFixed(1)} points` : `${(gain * 100).toFixed(1)}%`;
  const word = metric === "accuracy" ? "accuracy" : "loss";

  return {
    experiment: "learning-curve",
    outcome: helps ? "more-data-helps" : "plateaued",
    healthy: helps,
    evidence: { kind: "data-size", metric, validationExamples: validation.n, points },
    message: helps
      ? `Validation ${word} is still improving with more data: ${curve} training examples (${count(validation.n)} validation examples each). ` +
        `From ${count(quarter?.examples)} to ${count(full?.examples)} examples each doubling still ${metric === "accuracy" ? "gained" : "cut the loss by"} ${change} on average: more training data would very likely help this model.`
      : `Validation ${word} has levelled off: ${curve} training examples (${count(validation.n)} validation examples each). ` +
        `From ${count(quarter?.examples)} to ${count(full?.examples)} examples each doubling ${metric === "accuracy" ? "gained" : "cut the loss by"} ${change} on average, less than the ${metric === "accuracy" ? `${(needed * 100).toFixed(1)} points` : `${needed * 100}%`} per doubling that would make more data worth collecting: ` +
        (bigGap
          ? "more data of the same kind is unlikely to close the train/validation gap; the model itself is what limits it."
          : "training and validation agree, so the model is too simple for what is left to learn."),
    hint: helps
      ? ctx.prepared.dataset.kind === "mnist"
        ? "Data augmentation (random shifts, small rotations, zoom) is the cheapest way to more training images; regularization helps while you cannot get more."
        : "Collect more examples if you can; meanwhile regularization (dropout, L2, a smaller network, early stopping) makes the most of the data you have."
      : bigGap
        ? "Regularize instead: dropout, L2 weight decay, a smaller network or early stopping narrow the gap more data would not."
        : "Give the model more capacity (more units or layers) or better features; more of the same data will not raise it.",
  };
}
