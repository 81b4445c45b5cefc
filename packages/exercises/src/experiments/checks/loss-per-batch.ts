import type { JsonObject } from "@stepwise/core/model";
import { trainSteps } from "@stepwise/core/training";
import { chanceLoss, farAboveChance } from "@stepwise/core/verify";
import { feed, finite, num, type ExperimentContext } from "../context";
import type { Finding } from "./finding";

/** Steps shown at least, even when an epoch of the experiment's slice is shorter. */
const MIN_STEPS = 10;

export interface LossTrend {
  trend: "decreasing" | "flat" | "diverging";
  /** Mean loss of the first and last quarter of the batches (NaN when a loss was not finite). */
  first: number;
  last: number;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

/** t statistic of the least-squares slope of `values` against their index (0 when it cannot be told). */
export function slopeT(values: number[]): number {
  const n = values.length;
  if (n < 3) return 0;
  const mx = (n - 1) / 2;
  const my = mean(values);
  let sxx = 0;
  let sxy = 0;
  values.forEach((y, x) => {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
  });
  const slope = sxy / sxx;
  const residual = values.reduce((a, y, x) => a + (y - (my + slope * (x - mx))) ** 2, 0) / (n - 2);
  return residual > 0 ? slope / Math.sqrt(residual / sxx) : Math.sign(slope) * Number.POSITIVE_INFINITY;
}

/**
 * Compares the first and last quarter of the per-batch losses, and asks whether the trend is more
 * than batch-to-batch noise (|t| of the slope > 2): small batches make single losses jump by 10 %
 * while nothing is learned. NaN/infinite losses or a 50 % rise are diverging whatever the noise; a
 * fall of at least 5 % with a clear trend is decreasing; everything else flat.
 */
export function lossTrend(losses: number[]): LossTrend {
  const w = Math.max(1, Math.ceil(losses.length / 4));
  const first = mean(losses.slice(0, w));
  const last = mean(losses.slice(-w));
  if (losses.some((l) => !Number.isFinite(l))) return { trend: "diverging", first, last };
  const t = slopeT(losses);
  if (last > first * 1.5 || (last > first * 1.1 && t > 2)) return { trend: "diverging", first, last };
  return { trend: last <= first * 0.95 && t < -2 ? "decreasing" : "flat", first, last };
}

/** The training loss of every batch of the first epoch, as the grader's pipeline trains it. */
export async function lossPerBatchCheck(ctx: ExperimentContext): Promise<Finding> {
  const { compile, fit } = ctx.prepared.training;
  const set = feed(ctx, ctx.train);
  const epochSteps = Math.ceil(Math.round(set.n * (1 - fit.validationSplit)) / fit.batchSize);
  const run = await trainSteps(ctx.tf, {
    topology: ctx.prepared.topology as JsonObject,
    training: ctx.prepared.training,
    train: set,
    task: ctx.prepared.task,
    seed: ctx.seed,
    steps: Math.max(epochSteps, MIN_STEPS),
    ...(ctx.maxSeconds !== undefined ? { maxSeconds: ctx.maxSeconds } : {}),
    onBatch: (b) => void ctx.onBatch?.(b),
  });
  run.model.dispose();
  const losses = run.batches.map((b) => b.loss);
  const { trend: shape, first, last } = lossTrend(losses);
  const lr = compile.learningRate;
  // A curve that is flat far above chance is not "too small to matter": the first updates already
  // overshot into saturated wrong answers (MNIST at learning rate 10 sits at 14.5, chance ln 10 = 2.3).
  const chance = chanceLoss(ctx.prepared.task, compile.loss);
  const overshot = shape === "flat" && farAboveChance(last, chance);
  const trend = overshot ? "diverging" : shape;
  const evidence = {
    kind: "batch-loss" as const,
    optimizer: compile.optimizer,
    learningRate: lr,
    batchSize: fit.batchSize,
    epochSize: run.epochSize,
    batches: run.batches.map((b) => ({ step: b.step, loss: finite(b.loss) })),
  };
  const span = `over the first ${run.batches.length} batches${run.stopReason === "budget" ? " (all its time budget allowed)" : ""}`;
  switch (trend) {
    case "decreasing":
      return {
        experiment: "loss-per-batch",
        outcome: trend,
        healthy: true,
        evidence,
        message: `The loss falls ${span}, from ${num(first)} to ${num(last)} on average: your model learns from the first epoch on, at learning rate ${num(lr)}.`,
      };
    case "flat":
      return {
        experiment: "loss-per-batch",
        outcome: trend,
        healthy: false,
        evidence,
        message: `The loss hardly moves ${span} (${num(first)} → ${num(last)}): at learning rate ${num(lr)} the updates are too small to matter, or no gradient reaches the weights.`,
        hint:
          lr < 1e-4
            ? `Your learning rate ${num(lr)} is very small: start from ${compile.optimizer === "sgd" ? "1e-2 with sgd" : "1e-3 (RMSprop's default)"}, or run lr-range-test.`
            : "Run lr-range-test to find a rate at which the loss falls; if none does, check for dead ReLU units and that the last activation fits the loss (label-as-input).",
      };
    case "diverging":
      return {
        experiment: "loss-per-batch",
        outcome: trend,
        healthy: false,
        evidence,
        message: losses.some((l) => !Number.isFinite(l))
          ? `The loss became NaN or infinite after ${run.batches.length} batches: training diverges at learning rate ${num(lr)}.`
          : overshot
            ? `The loss sits at ${num(last)} ${span}, far above the ${num(chance ?? 0)} of guessing uniformly: the first updates at learning rate ${num(lr)} overshot, and the model now gives confident wrong answers.`
            : `The loss rises ${span}, from ${num(first)} to ${num(last)} on average: training diverges at learning rate ${num(lr)}.`,
        hint: `Lower the learning rate about tenfold, to ${num(lr / 10)}, or run lr-range-test; also check that the inputs are scaled to small values.`,
      };
  }
}
