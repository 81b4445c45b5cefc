import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { buildModel } from "../training";
import { denseOnMnist, mnistArrays } from "../training/testing";
import { nativeCrossentropy } from "./crossentropy";
import { rmsprop } from "./optimizers";
import { bits, countingCalls, nativeKernelsUnderTest, withKernels } from "./testing";

const { tf, available, blas } = await nativeKernelsUnderTest("native crossentropy gradient");
const counting = () => countingCalls(blas(), ["crossentropyGrad"]);

/** A compiled model whose loss function is tfjs-layers' categoricalCrossentropy, native or not. */
async function compiled(seed: number, native: boolean): Promise<LayersModel> {
  const topology = denseOnMnist(32, { class_name: "Dense", config: { units: 10, activation: "softmax" } });
  const model = await buildModel(tf, topology, seed);
  model.compile({ optimizer: rmsprop(tf, 0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  if (native) nativeCrossentropy(tf, model);
  return model;
}

/** The loss function the compiled model trains with (the functional model inside a Sequential holds it). */
const lossOf = (model: LayersModel) =>
  (model as unknown as { model: { lossFunctions: ((t: Tensor, p: Tensor) => Tensor)[] } }).model.lossFunctions[0] ??
  (() => {
    throw new Error("no loss function");
  });

describe.runIf(available)("categoricalCrossentropy's gradient in the addon", () => {
  // Rows that do not sum to 1, probabilities clipped at ε and at 1 − ε, zeros, soft and empty targets.
  const p = [
    [0.7, 0.2, 0.1, 0],
    [1e-9, 0.5, 0.25, 0.25],
    [0.9999999, 1e-8, 0, 0],
    [3, 1, 0.5, 0.5],
    [0.25, 0.25, 0.25, 0.25],
    [Number.NaN, 0.5, 0.25, 0.25],
  ];
  const target = [
    [1, 0, 0, 0],
    [0, 0.5, 0.5, 0],
    [1, 0, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 0],
    [0, 1, 0, 0],
  ];

  it("gives tfjs-core's loss and gradient with respect to the probabilities, bit for bit", async () => {
    const [ours, theirs] = [await compiled(1, true), await compiled(1, false)];
    try {
      const run = (model: LayersModel) =>
        tf.tidy(() => {
          const [t, q] = [tf.tensor2d(target), tf.variable(tf.tensor2d(p))];
          // A weighted mean, so each row's dy differs (and one is negative).
          const weights = tf.tensor1d([1, -2, 0.5, 3, 1, 0.25]);
          const { value, grads } = tf.variableGrads(() => tf.mean(tf.mul(lossOf(model)(t, q), weights)), [q]);
          const result = [value.dataSync() as Float32Array, ...Object.values(grads).map((g) => g.dataSync() as Float32Array)];
          q.dispose();
          return result;
        });
      const count = counting();
      const native = await withKernels(tf, blas(), count.kernels, () => run(ours));
      expect(count.calls()).toBe(1);
      const plain = run(theirs);
      expect(native.map(bits)).toEqual(plain.map(bits));
      // The clipped entries get no gradient, the others do.
      expect(native[1]?.some((v) => v === 0) && native[1].some((v) => v !== 0 && Number.isFinite(v))).toBe(true);
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });

  it("trains and validates to the same losses, accuracies and weights as tfjs-layers' loss", async () => {
    const set = mnistArrays(64);
    const { pixels, onehot } = set;
    const trained = async (model: LayersModel) => {
      const history: number[] = [];
      for (let step = 0; step < 4; step++) {
        const [x, y] = [tf.tensor2d(pixels, [set.n, 784]), tf.tensor2d(onehot, [set.n, 10])];
        const out = await model.trainOnBatch(x, y);
        history.push(...(Array.isArray(out) ? out : [out]));
        const evaluated = model.evaluate(x, y, { batchSize: set.n }) as Tensor[];
        history.push(...evaluated.map((t) => t.dataSync()[0] ?? Number.NaN));
        tf.dispose([x, y, ...evaluated]);
      }
      return { history, weights: model.getWeights().map((w) => bits(w.dataSync() as Float32Array)) };
    };
    const [ours, theirs] = [await compiled(3, true), await compiled(3, false)];
    try {
      const count = counting();
      // Each model keeps what it kept before (its optimizer's slots), and nothing more.
      const before = tf.memory().numTensors;
      const native = await withKernels(tf, blas(), count.kernels, () => trained(ours));
      expect(count.calls()).toBe(4);
      const kept = tf.memory().numTensors - before;
      const plain = await trained(theirs);
      expect(tf.memory().numTensors - before).toBe(2 * kept);
      expect(native.history).toEqual(plain.history);
      expect(native.weights).toEqual(plain.weights);
      // Without the addon the loss function tfjs-layers resolved runs.
      const fallback = await withKernels(tf, blas(), undefined, () =>
        tf.tidy(() => lossOf(ours)(tf.tensor2d(target), tf.tensor2d(p)).dataSync()),
      );
      expect(count.calls()).toBe(4);
      expect(fallback.length).toBe(p.length);
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });
});
