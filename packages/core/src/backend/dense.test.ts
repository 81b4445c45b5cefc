import type { LayersModel, Scalar, Tensor } from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { buildModel } from "../training";
import { denseOnMnist, mnistArrays } from "../training/testing";
import { fuseDenseNatively } from "./dense";
import { rmsprop } from "./optimizers";
import { bits, countingCalls, nativeKernelsUnderTest, trainingPass, withKernels } from "./testing";

const { tf, available, blas } = await nativeKernelsUnderTest("native Dense relu");

describe.runIf(available)("hidden relu Dense layers trained as one native kernel", () => {
  // Two relu layers: the first one's input needs no gradient, the second one's does.
  const topology = denseOnMnist(
    48,
    { class_name: "Dense", config: { units: 32, activation: "relu" } },
    { class_name: "Dense", config: { units: 10, activation: "softmax" } },
  );
  const set = mnistArrays(96);
  const { pixels, onehot } = set;

  /** Outputs, loss and every weight's gradient of one training-mode pass. */
  function pass(model: LayersModel): Float32Array[] {
    return tf.tidy(() => trainingPass(tf, model, tf.tensor2d(pixels, [set.n, 784]), (out) => out.sub(0.05).square().mean<Scalar>()));
  }

  /** Five rmsprop steps through trainOnBatch, then every weight. */
  async function trained(model: LayersModel): Promise<{ losses: number[]; weights: Float32Array[] }> {
    const optimizer = rmsprop(tf, 0.01);
    model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      const [x, y] = [tf.tensor2d(pixels, [set.n, 784]), tf.tensor2d(onehot, [set.n, 10])];
      const out = await model.trainOnBatch(x, y);
      losses.push(...(Array.isArray(out) ? out : [out]));
      tf.dispose([x, y]);
    }
    optimizer.dispose();
    return { losses, weights: model.getWeights().map((w) => w.dataSync() as Float32Array) };
  }

  it("biasRelu and reluGrad are wasm's Add, Relu, Step and Multiply to the bit, NaN, −0 and infinities included", () => {
    const special = [Number.NaN, -0, 0, 1e-45, -1e-45, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3.5, -2];
    const c = Float32Array.from({ length: 4 * special.length }, (_, i) => (i < special.length ? (special[i] ?? 0) : Math.sin(i) * 3));
    const bias = Float32Array.from(special, (_, j) => (j % 3 === 0 ? -0 : Math.cos(j)));
    const dy = Float32Array.from(c, (_, i) => (i % 2 ? -1 : 1) * (i % 5) * 0.25);
    const shape: [number, number] = [4, special.length];
    const want = tf.tidy(() => {
      const y = tf.relu(tf.add(tf.tensor2d(c, shape), tf.tensor1d(bias)));
      return [y.dataSync() as Float32Array, tf.mul(tf.tensor2d(dy, shape), tf.step(y)).dataSync() as Float32Array];
    });
    const y = c.slice();
    blas().biasRelu(y, bias);
    const grad = new Float32Array(y.length);
    blas().reluGrad(dy, y, grad);
    expect(bits(y)).toEqual(bits(want[0] ?? new Float32Array()));
    expect(bits(grad)).toEqual(bits(want[1] ?? new Float32Array()));
    expect(grad.some((v) => Object.is(v, -0)) && grad.some(Number.isNaN)).toBe(true);
  });

  it("gives tfjs-core's outputs and gradients to the bit, with no extra matrix product", async () => {
    const [ours, theirs] = [await buildModel(tf, topology, 5), await buildModel(tf, topology, 5)];
    fuseDenseNatively(tf, ours);
    try {
      const before = tf.memory().numTensors;
      const count = countingCalls(blas(), ["biasRelu", "reluGrad"]);
      const products = countingCalls(blas(), ["sgemm"]);
      const native = await withKernels(tf, blas(), count.kernels, () => pass(ours));
      // Forward and backward, once per relu layer.
      expect(count.calls()).toBe(4);
      expect(tf.memory().numTensors).toBe(before);
      const plain = pass(theirs);
      expect(native.map(bits)).toEqual(plain.map(bits));
      // As many sgemm calls either way: the first layer's input gradient is still skipped.
      const fused = await withKernels(tf, blas(), products.kernels, () => pass(ours).length);
      const fusedProducts = products.calls();
      await withKernels(tf, blas(), products.kernels, () => pass(theirs).length);
      expect(fused).toBe(plain.length);
      expect(products.calls()).toBe(2 * fusedProducts);
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });

  it("trains to the same losses and weights as the unfused layers, and leaves inference to the fused matMul", async () => {
    const [ours, theirs] = [await buildModel(tf, topology, 9), await buildModel(tf, topology, 9)];
    fuseDenseNatively(tf, ours);
    try {
      const count = countingCalls(blas(), ["biasRelu", "reluGrad"]);
      const native = await withKernels(tf, blas(), count.kernels, () => trained(ours));
      expect(count.calls()).toBe(5 * 4);
      const plain = await trained(theirs);
      expect(native.losses).toEqual(plain.losses);
      expect(native.weights.map(bits)).toEqual(plain.weights.map(bits));
      const infer = (model: LayersModel) =>
        tf.tidy(() => (model.predict(tf.tensor2d(pixels, [set.n, 784])) as Tensor).dataSync() as Float32Array);
      const predicted = await withKernels(tf, blas(), count.kernels, () => infer(ours));
      expect(count.calls()).toBe(5 * 4);
      expect(bits(predicted)).toEqual(bits(infer(theirs)));
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });
});
