/**
 * The training child: one job, then exit. It gets a validated topology, training data and
 * test *inputs*; it returns per-epoch metrics and test predictions. It never sees test labels.
 */
import { StepwiseError, ValidationError } from "@stepwise/core/contracts";
import { initBackend } from "@stepwise/core/backend";
import type { JsonObject } from "@stepwise/core/model";
import { predict, train } from "@stepwise/core/training";
import { loadTrainingData } from "@stepwise/exercises/grading";
import { TrainRequest, type ChildMessage } from "./protocol";

const send = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });

/** Argmax per row for a softmax head, a 0.5 threshold for one sigmoid unit, the value for regression. */
function decide(outputs: Float32Array, rows: number, task: TrainRequest["task"]): number[] {
  const width = outputs.length / rows;
  const predictions = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    if (task.kind === "regression") predictions[r] = outputs[r * width] ?? 0;
    else if (width === 1) predictions[r] = (outputs[r] ?? 0) >= 0.5 ? 1 : 0;
    else {
      let best = 0;
      for (let c = 1; c < width; c++) if ((outputs[r * width + c] ?? -Infinity) > (outputs[r * width + best] ?? -Infinity)) best = c;
      predictions[r] = best;
    }
  }
  return predictions;
}

function std(values: Float32Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length || 1;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return Math.sqrt(sq / (values.length || 1));
}

async function run(raw: unknown): Promise<ChildMessage> {
  const parsed = TrainRequest.safeParse(raw);
  if (!parsed.success) return { type: "error", message: `malformed training request: ${parsed.error.issues[0]?.message ?? "?"}` };
  const request = parsed.data;
  const { tf, backend, tfjsVersion } = await initBackend(request.backend === "auto" ? {} : { prefer: [request.backend] });
  await send({ type: "ready", backend, tfjsVersion });

  const data = loadTrainingData(request.dataset, { slice: request.data, seed: request.seed, cacheDir: request.cacheDir });
  const { report, model } = await train(tf, {
    // Parsed by the parent (parseModelSpec) before it crossed into this process.
    topology: request.topology as JsonObject,
    training: request.training,
    train: data.train,
    task: request.task,
    seed: request.seed,
    maxSeconds: request.maxSeconds,
    onEpoch: (metrics, _epoch, epochs) => void send({ type: "epoch", metrics, epochs }),
  });
  try {
    if (report.stopReason === "diverged" || report.stopReason === "budget" || report.stopReason === "aborted") {
      return { type: "done", report: { ...report, backend, tfjsVersion }, predictions: [], outputStd: 0 };
    }
    await send({ type: "evaluating" });
    const outputs = predict(tf, model, data.testInputs);
    return {
      type: "done",
      report: { ...report, backend, tfjsVersion },
      predictions: decide(outputs, data.testInputs.n, request.task),
      outputStd: std(outputs),
    };
  } finally {
    model.dispose();
  }
}

process.once("message", (raw) => {
  run(raw)
    .catch((error: unknown): ChildMessage => {
      if (error instanceof ValidationError || (error instanceof StepwiseError && error.code === "BUDGET")) {
        return { type: "invalid", message: error.message.slice(0, 4000) };
      }
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { type: "error", message: message.slice(0, 4000) };
    })
    .then(send)
    .finally(() => process.exit(0));
});
