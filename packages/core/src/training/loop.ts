import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import type { Tf } from "../backend/tf";
import type { ExampleSet } from "../datasets/types";
import type { BatchBuilder } from "./inputs";
import type { LabelEncoding } from "./labels";
import { shuffle } from "./rng";

export interface EpochContext {
  tf: Tf;
  model: LayersModel;
  set: ExampleSet;
  labels: Int32Array | Float32Array;
  encoding: LabelEncoding;
  batches: BatchBuilder;
  batchSize: number;
  withAccuracy: boolean;
  random: () => number;
  /** Reseeds dropout before each step (randomness.ts). */
  reseed: () => void;
  /** Returns a reason to stop now, checked before every step. */
  shouldStop: () => "aborted" | "budget" | undefined;
  /** Called after each training step with its 0-based number in the epoch (the evidence reads the weights there). */
  afterStep?: (step: number) => void;
}

export interface EpochResult {
  loss: number;
  accuracy?: number;
  stop?: "aborted" | "budget" | "diverged";
}

/**
 * One optimizer step on the examples `batch`: their tensors are built, trained on and freed.
 * The loss, then the accuracy when the model was compiled with it.
 */
export async function trainStep(
  model: LayersModel,
  builder: BatchBuilder,
  encoding: LabelEncoding,
  labels: Int32Array | Float32Array,
  batch: Int32Array,
): Promise<number[]> {
  const x = builder.inputs(batch);
  const y = builder.labels(batch, (out) => encoding.fill(labels, batch, out));
  let out: number | number[];
  try {
    out = await model.trainOnBatch(x, y);
  } finally {
    x.dispose();
    y.dispose();
  }
  return Array.isArray(out) ? out : [out];
}

/**
 * One epoch of our own loop. Why not `model.fit`: fit shuffles with Math.random (not
 * reproducible), builds the whole epoch's tensors up front (1 GB for IMDB multi-hot), and yields
 * to the event loop between batches: on one MNIST epoch (wasm) this loop ran 1.5× as fast as fit.
 */
export async function runEpoch(ctx: EpochContext, indices: Int32Array, shuffleData: boolean): Promise<EpochResult> {
  const { model, batchSize } = ctx;
  const order = shuffleData ? shuffle(indices.slice(), ctx.random) : indices;
  let lossSum = 0;
  let accSum = 0;
  let seen = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const stop = ctx.shouldStop();
    if (stop) return { loss: seen ? lossSum / seen : Number.NaN, stop };
    const batch = order.subarray(start, Math.min(start + batchSize, order.length));
    ctx.reseed();
    const [loss = Number.NaN, acc = Number.NaN] = await trainStep(model, ctx.batches, ctx.encoding, ctx.labels, batch);
    ctx.afterStep?.(start / batchSize);
    if (!Number.isFinite(loss)) return { loss, stop: "diverged" };
    lossSum += loss * batch.length;
    accSum += acc * batch.length;
    seen += batch.length;
  }
  return { loss: lossSum / seen, accuracy: ctx.withAccuracy ? accSum / seen : undefined };
}

/** What `LayersModel.evaluate` runs on one batch: the compiled loss, then each metric (protected in the typings). */
interface TestFunction {
  makeTestFunction(): void;
  testFunction: (data: Tensor[]) => Tensor[];
}

/**
 * `model.evaluate(x, y, { batchSize: n })` on one batch of n examples, without its copies:
 * evaluate's test loop gathers the batch out of x and y by index (a full copy of both, ~12 ms per
 * 1024 MNIST images on wasm, as long as the forward pass's matrix products) even when the batch
 * is the whole input. The same test function and the same `(0 + n·out) / n` follow, so the
 * numbers are evaluate's to the bit (loop.test.ts).
 */
export function evaluateBatch(tf: Tf, model: LayersModel, x: Tensor, y: Tensor): Tensor[] {
  // A Sequential evaluates through the functional model inside it (private in the typings).
  const compiled = (model instanceof tf.Sequential ? (model as unknown as { model: LayersModel }).model : model) as unknown as TestFunction;
  compiled.makeTestFunction();
  const n = x.shape[0] ?? 0;
  return compiled.testFunction([x, y]).map((out) => tf.div(tf.add(tf.scalar(0), tf.mul(n, out)), n));
}

/** Loss and accuracy on a held-out set, in large batches, without building one big tensor. */
export function evaluate(
  ctx: Omit<EpochContext, "random" | "shouldStop" | "reseed">,
  indices: Int32Array,
): { loss: number; accuracy?: number } {
  const { tf, model, batchSize } = ctx;
  let lossSum = 0;
  let accSum = 0;
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = indices.subarray(start, Math.min(start + batchSize, indices.length));
    const values = tf.tidy(() => {
      const x = ctx.batches.inputs(batch);
      const y = ctx.batches.labels(batch, (out) => ctx.encoding.fill(ctx.labels, batch, out));
      return evaluateBatch(tf, model, x, y).map((t) => t.dataSync()[0] ?? Number.NaN);
    });
    lossSum += (values[0] ?? Number.NaN) * batch.length;
    accSum += (values[1] ?? Number.NaN) * batch.length;
  }
  const n = indices.length;
  return { loss: lossSum / n, accuracy: ctx.withAccuracy ? accSum / n : undefined };
}
