import { PreconditionError } from "@stepwise/core/contracts";
import { limit } from "@stepwise/core/datasets";
import type { JsonObject } from "@stepwise/core/model";
import { buildModel, predict } from "@stepwise/core/training";
import { feed, num, type ExperimentContext } from "../context";
import { labelsOf } from "../sets";
import { histogram, summarize } from "../stats";
import type { Finding } from "./finding";

/** Examples whose untrained outputs are compared with their targets. */
const SAMPLE = 1_000;
/** Targets more than this many times larger (or smaller) than the initial outputs need rescaling. */
const FACTOR = 10;

const stats = (values: ArrayLike<number>) => {
  const { mean, std, min, max } = summarize(values);
  return { mean, std, min, max, histogram: histogram(values, 10) };
};

/**
 * Regression only: compares the size of the targets with what the untrained model outputs. A
 * network starts with outputs of about unit size; targets in the thousands make the first losses
 * enormous and leave the learning rate no good value.
 */
export async function labelScaleCheck(ctx: ExperimentContext): Promise<Finding> {
  const { task } = ctx.prepared;
  if (task.kind !== "regression") {
    throw new PreconditionError(
      `label-scale checks the targets of a regression task; this exercise is ${task.kind} classification, whose labels are classes, not numbers to scale.`,
    );
  }
  const set = feed(ctx, ctx.train);
  const sample = set.n > SAMPLE ? limit(set, SAMPLE, ctx.seed) : set;
  const model = await buildModel(ctx.tf, ctx.prepared.topology as JsonObject, ctx.seed);
  let outputs: Float32Array;
  try {
    outputs = predict(ctx.tf, model, sample);
  } finally {
    model.dispose();
  }
  const targets = labelsOf(sample);
  const t = summarize(targets);
  const o = summarize(outputs);
  const ratio = t.rms / Math.max(o.rms, 1e-12);
  const ok = ratio <= FACTOR && ratio >= 1 / FACTOR;
  const evidence = { kind: "label-scale" as const, targets: stats(targets), outputs: stats(outputs), ratio };
  // CSV targets reach the model standardized: say so, or a student who sees prices in the thousands is puzzled by "mean 0".
  const unit = ctx.targetScale
    ? ` (the grader standardized them from mean ${num(ctx.targetScale.mean)} and standard deviation ${num(ctx.targetScale.std)} in their own unit)`
    : "";
  const facts = `The targets your model trains on have mean ${num(t.mean)} and standard deviation ${num(t.std)}${unit}; your untrained model outputs values of typical size ${num(o.rms)}`;
  return {
    experiment: "label-scale",
    outcome: ok ? "scale-ok" : "needs-normalizing",
    healthy: ok,
    evidence,
    message: ok
      ? `${facts}: the same scale (ratio ${num(ratio)}), so the targets need no rescaling.`
      : `${facts}: the targets are ${ratio > 1 ? `${num(ratio)} times larger` : `${num(1 / ratio)} times smaller`}, so the first losses are ${ratio > 1 ? "enormous" : "tiny"} and no learning rate suits both the start and the end of training.`,
    ...(ok
      ? {}
      : {
          hint: `Standardize the targets on the training data: subtract the mean (${num(t.mean)}) and divide by the standard deviation (${num(t.std)}); multiply predictions back when reporting them.`,
        }),
  };
}
