import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { buildModel, predict } from "./index";
import { evaluateBatch } from "./loop";
import { denseOnMnist, mnistSlice } from "./testing";

let tf: Tf;
let model: LayersModel;
const set = mnistSlice(300);
const n = set.n;
let x: Tensor;
beforeAll(async () => {
  ({ tf } = await initBackend());
  model = await buildModel(
    tf,
    denseOnMnist(
      48,
      { class_name: "Dropout", config: { rate: 0.3 } },
      {
        class_name: "Dense",
        config: { units: 10, activation: "softmax", kernel_regularizer: { class_name: "L1L2", config: { l1: 0, l2: 0.01 } } },
      },
    ),
    7,
  );
  const pixels = new Float32Array(n * 784);
  set.gatherInputs(
    Int32Array.from({ length: n }, (_, i) => i),
    pixels,
  );
  x = tf.tensor2d(pixels, [n, 784]);
});
afterAll(() => {
  x.dispose();
  model.dispose();
});

const oneHot = (labels: Int32Array) => tf.oneHot(tf.tensor1d(labels, "int32"), 10).toFloat();

// The copy-free paths must give what TF.js's own evaluate and predict give, to the bit.
describe("evaluateBatch and predict equal model.evaluate and model.predict", () => {
  it.each([
    ["categoricalCrossentropy", () => oneHot(Int32Array.from(set.labels ?? []))],
    ["sparseCategoricalCrossentropy", () => tf.tensor2d(Float32Array.from(set.labels ?? []), [n, 1])],
  ] as const)("evaluateBatch with %s", (loss, labels) => {
    model.compile({ optimizer: tf.train.rmsprop(0.001), loss, metrics: ["accuracy"] });
    const y = labels();
    try {
      const ours = tf.tidy(() => evaluateBatch(tf, model, x, y).map((t) => t.dataSync()[0]));
      const theirs = tf.tidy(() => (model.evaluate(x, y, { batchSize: n }) as Tensor[]).map((t) => t.dataSync()[0]));
      expect(ours).toHaveLength(2);
      expect(ours).toEqual(theirs);
      // Untrained: loss near ln 10, accuracy near chance; a wrong reduction would not be.
      expect(ours[0]).toBeGreaterThan(1);
      expect(ours[1]).toBeLessThan(0.5);
    } finally {
      y.dispose();
    }
  });

  it("predict", () => {
    const theirs = tf.tidy(() => (model.predict(x, { batchSize: 128 }) as Tensor).dataSync() as Float32Array);
    const ours = predict(tf, model, set, 128);
    expect(ours).toHaveLength(n * 10);
    expect(Buffer.from(ours.buffer).equals(Buffer.from(theirs.buffer))).toBe(true);
  });
});
