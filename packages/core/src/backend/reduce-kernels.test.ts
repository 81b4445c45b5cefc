import type { Tensor } from "@tensorflow/tfjs";
import type { KernelConfig } from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import type { TrainOptions } from "../training";
import { train } from "../training";
import { denseOnMnist, mnistSlice } from "../training/testing";
import { bits, countingCalls, nativeKernelsUnderTest, withKernels } from "./testing";

const { tf, available, blas } = await nativeKernelsUnderTest("native Sum");
const counting = () => countingCalls(blas(), ["columnSums"]);

/** Runs `f` with wasm's own Sum in place of ours, the other native kernels staying. */
async function withWasmSum<T>(f: () => T): Promise<Awaited<T>> {
  const ours = tf.getKernel("Sum", "wasm") as KernelConfig & { replaced?: KernelConfig };
  if (!ours.replaced) throw new Error("the native Sum kernel is not registered");
  tf.unregisterKernel("Sum", "wasm");
  tf.registerKernel(ours.replaced);
  try {
    return await f();
  } finally {
    tf.unregisterKernel("Sum", "wasm");
    tf.registerKernel(ours);
  }
}

/** Our Sum and wasm's on the same values spanning six orders of magnitude (another addition order would show). */
async function compare(shape: number[], f: (x: Tensor) => Tensor) {
  const before = tf.memory().numTensors;
  const values = tf.tidy(() =>
    tf
      .randomNormal(shape, 0, 1, "float32", 5)
      .mul(tf.pow(10, tf.randomUniform(shape, -3, 3, "float32", 6)))
      .dataSync(),
  );
  const run = () => tf.tidy(() => f(tf.tensor(values, shape)).dataSync() as Float32Array);
  const count = counting();
  const native = await withKernels(tf, blas(), count.kernels, run);
  const wasm = await withWasmSum(run);
  expect(tf.memory().numTensors).toBe(before);
  return { native, wasm, calls: count.calls() };
}

describe.runIf(available)("native Sum over leading axes equals wasm's Sum bit for bit", () => {
  it.each([
    ["a bias gradient, 128×512 over axis 0", [128, 512], [0], false],
    ["an output layer's, 128×10", [128, 10], [0], false],
    ["keepDims", [37, 3], [0], true],
    ["the two leading axes of a rank-3 tensor", [4, 5, 6], [0, 1], false],
    ["negative axes naming the leading ones", [6, 5, 4], [-3], false],
  ] as const)("%s", async (_name, shape, axis, keepDims) => {
    const r = await compare([...shape], (x) => tf.sum(x, [...axis], keepDims));
    expect(r.calls).toBe(1);
    expect(r.native.length).toBe(r.wasm.length);
    expect(bits(r.native)).toEqual(bits(r.wasm));
  });

  it("the gradient of a bias add (what a Dense layer's backward pass runs)", async () => {
    const r = await compare([64, 30], (dy) =>
      tf.grad((b: Tensor) =>
        tf
          .add(tf.ones([64, 30]), b)
          .mul(dy)
          .sum(),
      )(tf.zeros([30])),
    );
    expect(r.calls).toBe(1);
    expect(bits(r.native)).toEqual(bits(r.wasm));
  });

  it.each([
    ["innermost axes, which wasm sums without a transpose", [8, 9], [1]],
    ["every axis", [8, 9], [0, 1]],
    ["a vector", [12], [0]],
  ] as const)("leaves %s to wasm", async (_name, shape, axis) => {
    const r = await compare([...shape], (x) => tf.sum(x, [...axis]));
    expect(r.calls).toBe(0);
    expect(bits(r.native)).toEqual(bits(r.wasm));
  });

  it("leaves int32 to wasm", async () => {
    const count = counting();
    const sums = await withKernels(tf, blas(), count.kernels, () =>
      tf.tidy(() => Array.from(tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], "int32"), 0).dataSync())),
    );
    expect(sums).toEqual([4, 6]);
    expect(count.calls()).toBe(0);
  });

  it("trains an MLP to the same weights as wasm's Sum does", async () => {
    const options = (): TrainOptions => ({
      topology: denseOnMnist(24, { class_name: "Dense", config: { units: 10, activation: "softmax" } }),
      training: {
        compile: { optimizer: "rmsprop", learningRate: 0.003, loss: "categoricalCrossentropy", metrics: ["accuracy"] },
        fit: { epochs: 2, batchSize: 50, validationSplit: 0.2, shuffle: true },
      },
      train: mnistSlice(500),
      task: { kind: "multiclass", numClasses: 10 },
      seed: 3,
      // The evidence probes take gradients too; without them the count below is the training steps'.
      evidence: false,
    });
    const weights = async () => {
      const { model, report } = await train(tf, options());
      const w = model.getWeights().map((t) => bits(t.dataSync() as Float32Array));
      model.dispose();
      return { w, history: report.history.map(({ seconds: _s, ...rest }) => rest) };
    };
    const count = counting();
    const native = await withKernels(tf, blas(), count.kernels, weights);
    const wasm = await withWasmSum(weights);
    // Two bias gradients per step (hidden and output layer), 8 steps per epoch.
    expect(count.calls()).toBe(2 * 8 * 2);
    expect(native.history).toEqual(wasm.history);
    expect(native.w).toEqual(wasm.w);
  });
});
