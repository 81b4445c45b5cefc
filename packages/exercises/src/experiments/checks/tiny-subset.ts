import { feed, pct, requireClassification, toCurve, trainCurve, withFit, type ExperimentContext } from "../context";
import { tinySubset } from "../sets";
import type { Finding } from "./finding";

/** Can the model memorize 100 training examples? One that cannot has a bug or far too little capacity. */
export async function tinySubsetCheck(ctx: ExperimentContext): Promise<Finding> {
  requireClassification(ctx, "tiny-subset");
  const set = feed(ctx, tinySubset(ctx.train, 100, ctx.seed));
  const history = await trainCurve(ctx, set, withFit(ctx.prepared.training, { epochs: 60, batchSize: 20, validationSplit: 0 }));
  const accuracy = history.at(-1)?.accuracy ?? 0;
  const fits = accuracy >= 0.99;
  return {
    experiment: "tiny-subset",
    outcome: fits ? "fits" : "cannot-fit",
    healthy: fits,
    evidence: { kind: "curve", history: toCurve(history) },
    message: fits
      ? `Your model fits ${set.n} training examples to ${pct(accuracy)} accuracy: it can learn, so look at capacity, regularization and data size next.`
      : `After 60 epochs on just ${set.n} examples your model reaches only ${pct(accuracy)} training accuracy. A model that cannot memorize ${set.n} examples has a bug (last-layer activation, loss, learning rate) or far too little capacity.`,
    ...(fits
      ? {}
      : {
          hint: "Run label-as-input to tell a pipeline bug from missing capacity, and loss-per-batch to see whether the loss moves at all.",
        }),
  };
}
