import { ValidationError } from "@stepwise/core/contracts";
import type { JsonObject } from "@stepwise/core/model";
import type { PreparedTraining } from "../../grading/prepare";
import { feed, pct, requireClassification, toCurve, trainCurve, withFit, type ExperimentContext } from "../context";
import { withLabelAsInput } from "../sets";
import type { Finding } from "./finding";

/** The topology with its (flat) input widened by `extra` features; null when the input is not flat. */
function widenInput(prepared: PreparedTraining, extra: number): JsonObject | null {
  const copy = structuredClone(prepared.topology) as { config?: { layers?: { class_name: string; config: Record<string, unknown> }[] } };
  const first = copy.config?.layers?.[0];
  const shape = first?.config.batch_input_shape;
  if (!first || first.class_name !== "Dense" || !Array.isArray(shape) || shape.length !== 2 || typeof shape[1] !== "number") return null;
  first.config.batch_input_shape = [null, shape[1] + extra];
  return copy as JsonObject;
}

/** Given the answer as an input, a healthy pipeline reaches near-perfect training accuracy. */
export async function labelAsInputCheck(ctx: ExperimentContext): Promise<Finding> {
  requireClassification(ctx, "label-as-input");
  const classes = Math.max(2, ctx.prepared.task.numClasses);
  const extra = classes > 2 ? classes : 1;
  const topology = widenInput(ctx.prepared, extra);
  if (!topology) {
    throw new ValidationError(
      "Label as input needs a model whose first layer is a Dense layer on a flat input; this model's input is not flat.",
      "model",
    );
  }
  const training = withFit(ctx.prepared.training, { epochs: Math.max(ctx.prepared.training.fit.epochs, 30), validationSplit: 0 });
  const history = await trainCurve(ctx, withLabelAsInput(feed(ctx, ctx.train), extra), training, { topology });
  const accuracy = history.at(-1)?.accuracy ?? 0;
  const ok = accuracy >= 0.97;
  return {
    experiment: "label-as-input",
    outcome: ok ? "pipeline-ok" : "pipeline-broken",
    healthy: ok,
    evidence: { kind: "curve", history: toCurve(history) },
    message: ok
      ? `Given the answer as an input, your model reaches ${pct(accuracy)} training accuracy: the pipeline (loss, last activation, label encoding) works; remaining trouble is capacity or data.`
      : `Even with the answer appended to its inputs your model reaches only ${pct(accuracy)} training accuracy. The fault is in the pipeline, not in capacity: check that the last activation fits the loss (softmax with categorical crossentropy, sigmoid with binary crossentropy) and the learning rate.`,
    ...(ok
      ? {}
      : { hint: "Run lr-range-test to find a learning rate at which the loss falls, and output-histogram to see what the model outputs." }),
  };
}
