import { binomialTestGreater } from "@stepwise/core/verify";
import { feed, holdOut, majorityRate, pct, requireClassification, toCurve, trainCurve, withFit, type ExperimentContext } from "../context";
import { labelsOf, withShuffledLabels } from "../sets";
import type { Finding } from "./finding";

/**
 * With the labels shuffled, validation accuracy must fall to what always answering the most common
 * class scores (chance, for balanced classes); if it stays clearly above, something leaks.
 */
export async function shuffledLabelsCheck(ctx: ExperimentContext): Promise<Finding> {
  requireClassification(ctx, "shuffled-labels");
  const { fit, validation } = holdOut(feed(ctx, withShuffledLabels(ctx.train, ctx.seed + 1)), 0.25, ctx.seed);
  // Enough epochs for a leak to show: a leaked feature among hundreds takes a few dozen steps to find.
  const epochs = Math.max(ctx.prepared.training.fit.epochs, 10);
  const history = await trainCurve(ctx, fit, withFit(ctx.prepared.training, { epochs }), { validation });
  const valAccuracy = history.at(-1)?.valAccuracy ?? 0;
  const n = validation.n;
  const chance = majorityRate(labelsOf(validation));
  // "Clearly above": a tenth of the way from chance to perfect, and significantly so.
  const p = binomialTestGreater(Math.round(valAccuracy * n), n, chance + 0.1 * (1 - chance));
  const leak = p < 0.01;
  return {
    experiment: "shuffled-labels",
    outcome: leak ? "leak" : "no-leak",
    healthy: !leak,
    evidence: { kind: "curve", history: toCurve(history), baseline: chance },
    message: leak
      ? `With the labels shuffled your model still scores ${pct(valAccuracy)} on validation data, well above chance (${pct(chance)}, always answering the most common class): something other than the inputs carries the answer — look for a leak in the pipeline.`
      : `With the labels shuffled validation accuracy falls to ${pct(valAccuracy)}, near chance (${pct(chance)}, always answering the most common class): no leak — what your model learns on real labels comes from the inputs.`,
    ...(leak
      ? {
          hint: "Check every input feature for one computed from the label (or from data after the label was known), and that validation examples are not copies of training ones.",
        }
      : {}),
  };
}
