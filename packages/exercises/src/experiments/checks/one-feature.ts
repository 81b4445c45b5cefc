import type { ExampleSet } from "@stepwise/core/datasets";
import { binomialTestGreater } from "@stepwise/core/verify";
import { feed, finite, holdOut, majorityRate, num, pct, toCurve, trainCurve, withFit, type ExperimentContext } from "../context";
import { featureRelevance, tokenRelevance, topK } from "../relevance";
import { downsampled, labelsOf, onlyFeatures, onlyTokens } from "../sets";
import { summarize } from "../stats";
import type { Finding } from "./finding";

interface Reduced {
  /** Maps a set to the reduced input, keeping the shape the model expects. */
  reduce: (set: ExampleSet) => ExampleSet;
  input: string;
  features: number;
}

/**
 * A much smaller input the student's model can still take: images at 7×7, word sequences with
 * only the ten words that tell the classes apart best, flat features cut to the best one (a
 * handful of columns) or ten (wide inputs such as multi-hot reviews). Chosen on training data only.
 */
function reducedInput(ctx: ExperimentContext, fit: ExampleSet): Reduced {
  const { dataset, task } = ctx.prepared;
  if (dataset.kind === "mnist" || (fit.naturalShape.length >= 2 && fit.naturalShape[0] === 28 && fit.naturalShape[1] === 28)) {
    const channels = fit.naturalShape[2] ?? 1;
    return {
      reduce: (set) => downsampled(set, 4),
      input: "a 7×7 downsampled image (each 4×4 block of pixels averaged)",
      features: 49 * channels,
    };
  }
  if (dataset.kind === "imdb" && dataset.sequenceLength !== undefined) {
    const keep = new Set(topK(tokenRelevance(fit), 10));
    return {
      reduce: (set) => onlyTokens(set, keep),
      input: "reviews with only the 10 words that tell the classes apart best (every other word unknown)",
      features: keep.size,
    };
  }
  const k = fit.inputSize <= 20 ? 1 : 10;
  const keep = topK(featureRelevance(fit, task.kind), k);
  const what = dataset.kind === "imdb" ? "words" : "features";
  const named = keep.map((j) => (ctx.featureNames?.[j] !== undefined ? `"${ctx.featureNames[j]}"` : `#${j}`));
  return {
    reduce: (set) => onlyFeatures(set, keep),
    input:
      k === 1
        ? `only feature ${named[0] ?? "#0"}, the one that goes best with the label (every other one set to 0)`
        : `only the ${k} ${what} that go best with the label${ctx.featureNames ? ` (${named.join(", ")})` : ""}, every other one set to 0`,
    features: k,
  };
}

/** Mean squared (or absolute) error of always predicting the training targets' mean (or median). */
function regressionBaseline(fitLabels: ArrayLike<number>, valLabels: ArrayLike<number>, loss: string): number {
  if (loss === "meanAbsoluteError") {
    const sorted = Float64Array.from(fitLabels).sort();
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    return Array.from(valLabels).reduce((a, y) => a + Math.abs(y - median), 0) / Math.max(valLabels.length, 1);
  }
  const mean = summarize(fitLabels).mean;
  return Array.from(valLabels).reduce((a, y) => a + (y - mean) ** 2, 0) / Math.max(valLabels.length, 1);
}

/** Trains on a much smaller input to see whether the signal is reachable at all. */
export async function oneFeatureCheck(ctx: ExperimentContext): Promise<Finding> {
  const data = feed(ctx, ctx.train);
  const { fit, validation } = holdOut(data, 0.25, ctx.seed);
  const reduced = reducedInput(ctx, fit);
  const epochs = Math.min(ctx.prepared.training.fit.epochs, 10);
  const history = await trainCurve(ctx, reduced.reduce(fit), withFit(ctx.prepared.training, { epochs }), {
    validation: reduced.reduce(validation),
  });
  const last = history.at(-1);
  const valLabels = labelsOf(validation);
  const common = {
    kind: "one-feature" as const,
    input: reduced.input,
    features: reduced.features,
    fullFeatures: data.inputSize,
    history: toCurve(history),
  };

  if (ctx.prepared.task.kind === "regression") {
    const baseline = regressionBaseline(labelsOf(fit), valLabels, ctx.prepared.training.compile.loss);
    const score = finite(last?.valLoss);
    const reachable = score !== null && score < 0.9 * baseline;
    return {
      experiment: "one-feature",
      outcome: reachable ? "signal-reachable" : "no-signal",
      healthy: reachable,
      evidence: { ...common, metric: "loss", score, baseline },
      message: reachable
        ? `From ${reduced.input}, your model reaches a validation loss of ${num(score)}, below the ${num(baseline)} of always predicting the average: the signal is reachable.`
        : `From ${reduced.input}, your model's validation loss (${score === null ? "not a number" : num(score)}) is no better than always predicting the average (${num(baseline)}).`,
      ...(reachable
        ? {}
        : { hint: "If even the full input does no better, run loss-per-batch and label-scale: the model may not be learning at all." }),
    };
  }

  const baseline = majorityRate(valLabels);
  const score = finite(last?.valAccuracy);
  // Beating the majority class is not enough to call a signal found: require a tenth of the way to perfect.
  const bar = baseline + 0.1 * (1 - baseline);
  const p = score === null ? 1 : binomialTestGreater(Math.round(score * valLabels.length), valLabels.length, bar);
  const reachable = p < 0.01;
  return {
    experiment: "one-feature",
    outcome: reachable ? "signal-reachable" : "no-signal",
    healthy: reachable,
    evidence: { ...common, metric: "accuracy", score, baseline },
    message: reachable
      ? `From ${reduced.input}, your model reaches ${pct(score)} validation accuracy, well above always answering the most common class (${pct(baseline)}): the signal is reachable, and your model can pick it up.`
      : `From ${reduced.input}, your model reaches ${pct(score)} validation accuracy, no clear gain over always answering the most common class (${pct(baseline)}). Either this little input holds no signal, or your model does not learn from any input.`,
    ...(reachable
      ? {}
      : {
          hint: "Run tiny-subset: if the model cannot even memorize 100 examples, the problem is training (learning rate, loss, last activation), not the data.",
        }),
  };
}
