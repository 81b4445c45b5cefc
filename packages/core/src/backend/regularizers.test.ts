import type { LayersModel, Scalar, Tensor } from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { buildModel } from "../training";
import { parseModelSpec } from "../model";
import { mnistSlice } from "../training/testing";
import { penalizeNatively } from "./regularizers";
import { bits, countingCalls, nativeKernelsUnderTest, withKernels } from "./testing";

const { tf, available, blas } = await nativeKernelsUnderTest("native L2");
const counting = () => countingCalls(blas(), ["l2Penalty", "l2PenaltyGrad"]);

const regularizer = (l2: number, l1 = 0) => ({ class_name: "L1L2", config: { l1, l2 } });

/** 784-hidden relu-10 softmax with both kernels penalized. */
const penalized = (hidden: number, l2: number, l1 = 0) =>
  parseModelSpec({
    format: "tfjs",
    topology: {
      class_name: "Sequential",
      config: {
        layers: [
          {
            class_name: "Dense",
            config: { units: hidden, activation: "relu", batch_input_shape: [null, 784], kernel_regularizer: regularizer(l2, l1) },
          },
          { class_name: "Dense", config: { units: 10, activation: "softmax", kernel_regularizer: regularizer(l2, l1) } },
        ],
      },
    },
  }).topology;

describe.runIf(available)("native L2 penalties equal tfjs-layers' to the bit", () => {
  const set = mnistSlice(64);
  const pixels = new Float32Array(set.n * 784);
  set.gatherInputs(
    Int32Array.from({ length: set.n }, (_, i) => i),
    pixels,
  );
  const labels = () => tf.oneHot(tf.tensor1d(Int32Array.from(set.labels ?? []), "int32"), 10).toFloat();

  /** The regularized loss as trainOnBatch builds it (loss + model.losses) and every weight's gradient. */
  function lossAndGrads(model: LayersModel): Float32Array[] {
    return tf.tidy(() => {
      const x = tf.tensor2d(pixels, [set.n, 784]);
      const y = labels();
      const { value, grads } = tf.variableGrads(() => {
        const out = model.apply(x, { training: true }) as Tensor;
        let loss: Tensor = tf.losses.softmaxCrossEntropy(y, out);
        // What trainOnBatch adds: every layer's regularizer penalties (calculateLosses is untyped public JS).
        for (const penalty of (model as unknown as { calculateLosses(): Tensor[] }).calculateLosses()) loss = tf.add(loss, penalty);
        return loss as Scalar;
      });
      return [value.dataSync() as Float32Array, ...Object.values(grads).map((g) => g.dataSync() as Float32Array)];
    });
  }

  it.each([
    ["784×48 and 48×10 kernels, l2 1e-4", 48, 1e-4],
    ["784×10 and 10×10 kernels, l2 0.37", 10, 0.37],
  ])("loss and gradients with %s", async (_name, units, l2) => {
    const topology = penalized(units, l2);
    const ours = await buildModel(tf, topology, 9);
    const theirs = await buildModel(tf, topology, 9);
    penalizeNatively(tf, ours);
    try {
      const before = tf.memory().numTensors;
      const count = counting();
      const native = await withKernels(tf, blas(), count.kernels, () => lossAndGrads(ours));
      // Two penalties, forward and gradient each.
      expect(count.calls()).toBe(4);
      expect(tf.memory().numTensors).toBe(before);
      const plain = lossAndGrads(theirs);
      // The loss and four gradients (two kernels, two biases).
      expect(native).toHaveLength(5);
      expect(native.map(bits)).toEqual(plain.map(bits));
      // The penalty counts: without it the loss differs.
      const unpenalized = tf.tidy(
        () => tf.losses.softmaxCrossEntropy(labels(), theirs.apply(tf.tensor2d(pixels, [set.n, 784])) as Tensor).dataSync()[0],
      );
      expect(native[0]?.[0]).not.toBe(unpenalized);
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });

  it("leaves an L1 term to tfjs-layers", async () => {
    const topology = penalized(16, 0.01, 0.001);
    const ours = await buildModel(tf, topology, 9);
    const theirs = await buildModel(tf, topology, 9);
    penalizeNatively(tf, ours);
    try {
      const count = counting();
      const native = await withKernels(tf, blas(), count.kernels, () => lossAndGrads(ours));
      expect(count.calls()).toBe(0);
      expect(native.map(bits)).toEqual(lossAndGrads(theirs).map(bits));
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });

  it.each([
    [
      "a length mismatch",
      () => blas().l2PenaltyGrad(new Float32Array(3), 1, new Float32Array(2)),
      "l2PenaltyGrad: out holds 2 floats, x holds 3",
    ],
    [
      "an infinite l2",
      () => blas().l2Penalty(new Float32Array(3), Number.POSITIVE_INFINITY),
      "l2Penalty: l2 must be a finite number, got inf",
    ],
  ])("refuses %s", (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});
