import type { ExampleSet } from "@stepwise/core/datasets";
import type { JsonObject } from "@stepwise/core/model";
import { buildModel, predict, train } from "@stepwise/core/training";
import { feed, holdOut, pct, toCurve, withFit, type ExperimentContext } from "../context";
import { labelsOf } from "../sets";
import type { Evidence } from "../result";
import { histogram, outputStd } from "../stats";
import type { Finding } from "./finding";

type OutputsSummary = Extract<Evidence, { kind: "outputs" }>["start"];
type Model = Awaited<ReturnType<typeof buildModel>>;

/**
 * Constant answers: one class for at least 95 % of the examples (the diagnostics' bar) while the
 * other classes get under a quarter of the share they have in the data. On imbalanced data (91 %
 * of one class) answering the common class 95 % of the time is not yet ignoring the input.
 */
export function isConstant(topShare: number, topShareInData: number): boolean {
  return topShare >= 0.95 && 1 - topShare < 0.25 * (1 - topShareInData);
}

/** Share of examples with a probability within 0.01 of 0 or 1 at which outputs count as saturated. */
const SATURATED = 0.9;

/**
 * Histogram and class counts of a row-major `n × width` output array. Width 1 is a sigmoid
 * (class 1 at ≥ 0.5) or, for regression, the value itself; wider rows are a softmax.
 */
export function summarizeOutputs(outputs: Float32Array, width: number, regression: boolean): OutputsSummary {
  const n = outputs.length / width;
  const std = outputStd(outputs, width);
  if (regression) return { histogram: histogram(outputs, 10), classCounts: [], topClassShare: 0, saturated: 0, std };
  const classes = width === 1 ? 2 : width;
  const classCounts = new Array<number>(classes).fill(0);
  const shown = new Float32Array(n);
  let saturated = 0;
  for (let i = 0; i < n; i++) {
    const row = outputs.subarray(i * width, (i + 1) * width);
    let predicted = 0;
    let p = row[0] ?? 0;
    if (width === 1) {
      predicted = p >= 0.5 ? 1 : 0;
    } else {
      for (let c = 1; c < width; c++) if ((row[c] ?? 0) > p) [predicted, p] = [c, row[c] ?? 0];
    }
    classCounts[predicted] = (classCounts[predicted] ?? 0) + 1;
    shown[i] = p;
    if (p <= 0.01 || p >= 0.99) saturated++;
  }
  return {
    histogram: histogram(shown, 10, 0, 1),
    classCounts,
    topClassShare: n ? Math.max(...classCounts) / n : 0,
    saturated: n ? saturated / n : 0,
    std,
  };
}

function summaryOf(ctx: ExperimentContext, model: Model, validation: ExampleSet): OutputsSummary {
  const outputs = predict(ctx.tf, model, validation);
  return summarizeOutputs(outputs, outputs.length / validation.n, ctx.prepared.task.kind === "regression");
}

/** What the model outputs on validation examples before and after a short training: varied, constant or saturated. */
export async function outputHistogramCheck(ctx: ExperimentContext): Promise<Finding> {
  const { fit, validation } = holdOut(feed(ctx, ctx.train), 0.25, ctx.seed);
  const topology = ctx.prepared.topology as JsonObject;
  const initial = await buildModel(ctx.tf, topology, ctx.seed);
  let start: OutputsSummary;
  try {
    start = summaryOf(ctx, initial, validation);
  } finally {
    initial.dispose();
  }
  const { report, model } = await train(ctx.tf, {
    topology,
    training: withFit(ctx.prepared.training, { epochs: Math.min(ctx.prepared.training.fit.epochs, 2) }),
    train: fit,
    validation,
    task: ctx.prepared.task,
    seed: ctx.seed,
    ...(ctx.maxSeconds !== undefined ? { maxSeconds: ctx.maxSeconds } : {}),
    onEpoch: (m, _e, epochs) => ctx.onEpoch?.(m, epochs),
  });
  let trained: OutputsSummary;
  try {
    trained = summaryOf(ctx, model, validation);
  } finally {
    model.dispose();
  }
  const evidence = { kind: "outputs" as const, start, trained, history: toCurve(report.history) };
  const regression = ctx.prepared.task.kind === "regression";
  const epochs = report.history.length;
  if (!regression && start.saturated >= SATURATED) {
    return {
      experiment: "output-histogram",
      outcome: "saturated",
      healthy: false,
      evidence,
      message: `Before any training, ${pct(start.saturated)} of your model's probabilities are already within 0.01 of 0 or 1: its outputs are saturated, so the loss starts huge and the gradients through the last activation are tiny.`,
      hint: "Scale the inputs to about 0–1 (or standardize them) and keep the initializers' defaults; very large initial weights saturate the outputs.",
    };
  }
  const labels = labelsOf(validation);
  const top = trained.classCounts.indexOf(Math.max(...trained.classCounts));
  const actual = labels.filter((l) => l === top).length / Math.max(labels.length, 1);
  const constant = regression ? trained.std < 1e-3 : isConstant(trained.topClassShare, actual);
  if (constant) {
    return {
      experiment: "output-histogram",
      outcome: "constant",
      healthy: false,
      evidence,
      message: regression
        ? `After ${epochs} epoch${epochs === 1 ? "" : "s"} your model outputs practically the same number for every validation example (std ${trained.std.toExponential(1)}): it ignores its inputs.`
        : `After ${epochs} epoch${epochs === 1 ? "" : "s"} your model answers class ${top} for ${pct(trained.topClassShare)} of the validation examples (${pct(actual)} of them are class ${top}), whatever the input.`,
      hint: "It fell back to one answer: check the learning rate (lr-range-test), the input scaling, dead ReLU units (a large negative bias) and that the output activation fits the loss.",
    };
  }
  return {
    experiment: "output-histogram",
    outcome: "varied",
    healthy: true,
    evidence,
    message: regression
      ? `Your model's outputs vary from example to example (std ${trained.std.toPrecision(3)} after ${epochs} epoch${epochs === 1 ? "" : "s"}): it responds to its inputs.`
      : `Your model's outputs vary with the input: after ${epochs} epoch${epochs === 1 ? "" : "s"} its most frequent answer covers ${pct(trained.topClassShare)} of the validation examples, and at the start ${pct(start.saturated)} of its probabilities were saturated.`,
  };
}
