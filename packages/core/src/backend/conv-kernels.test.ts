import type { Tensor, Tensor4D } from "@tensorflow/tfjs";
import { loadNativeBlas, type ConvKernel, type NativeBlas } from "@stepwise/native-blas";
import { describe, expect, it } from "vitest";
import type { EpochMetrics } from "../contracts/training";
import { parseModelSpec } from "../model";
import type { TrainOptions } from "../training";
import { mnistSlice } from "../training/testing";
import { initBackend } from "./index";
import { maxRelDiff, trainOnBothPaths, withKernels } from "./testing";

const info = await initBackend();
const tf = info.tf;
const load = loadNativeBlas();
const available = info.blas?.loaded === true && load.ok;
if (!available)
  console.warn(`native conv kernel tests skipped: ${info.blas?.loaded === false ? info.blas.reason : `backend is ${info.backend}`}`);

function blas(): NativeBlas {
  if (!load.ok) throw new Error(load.reason);
  return load.blas;
}

/** Counts calls to the three conv kernels, so a silent fallback is seen. */
function counting(): { kernels: NativeBlas; calls: () => number } {
  let calls = 0;
  const count =
    (k: ConvKernel): ConvKernel =>
    (...args) => {
      calls++;
      k(...args);
    };
  const b = blas();
  return {
    kernels: {
      ...b,
      conv2d: count(b.conv2d),
      conv2dBackpropInput: count(b.conv2dBackpropInput),
      conv2dBackpropFilter: count(b.conv2dBackpropFilter),
    },
    calls: () => calls,
  };
}

/** The native kernels, wasm's own and the cpu backend on the same random inputs; every tensor disposed. */
async function compare(shapes: number[][], f: (...xs: Tensor[]) => Tensor) {
  const before = tf.memory().numTensors;
  const values = shapes.map((s, i) => tf.tidy(() => tf.randomNormal(s, 0, 1, "float32", 20 + i).dataSync()));
  const run = () => tf.tidy(() => f(...values.map((v, i) => tf.tensor(v, shapes[i]))).dataSync() as Float32Array);
  const count = counting();
  const native = await withKernels(tf, blas(), count.kernels, run);
  const wasm = await withKernels(tf, blas(), undefined, run);
  expect(tf.memory().numTensors).toBe(before);
  await tf.setBackend("cpu");
  try {
    return { native, wasm, cpu: run(), calls: count.calls() };
  } finally {
    await tf.setBackend("wasm");
  }
}

// [x shape, filter shape, strides, padding, dilation]: what the model allowlist lets through
// (channels-last, valid/same, strides up to 11), odd sizes on purpose; Conv1D runs as a 1×k Conv2D.
type Case = [string, number[], number[], [number, number], "valid" | "same", number];
const cases: Case[] = [
  ["MNIST first layer", [8, 28, 28, 1], [3, 3, 1, 8], [1, 1], "valid", 1],
  ["same, stride 2", [3, 13, 11, 4], [3, 3, 4, 6], [2, 2], "same", 1],
  ["valid, strides 3×2, 5×2 filter", [2, 17, 12, 3], [5, 2, 3, 5], [3, 2], "valid", 1],
  ["same, stride 4 larger than the filter", [2, 15, 15, 2], [3, 3, 2, 3], [4, 4], "same", 1],
  ["1×1 pointwise", [2, 7, 9, 5], [1, 1, 5, 4], [1, 1], "valid", 1],
  ["Conv1D shape (1×k)", [4, 1, 30, 6], [1, 5, 6, 7], [1, 2], "same", 1],
];

describe.runIf(available)("native Conv2D kernels match wasm's own and the cpu backend", () => {
  it.each(cases)("forward: %s", async (_name, x, w, strides, pad) => {
    const r = await compare([x, w], (a, b) => tf.conv2d(a as Tensor4D, b as Tensor4D, strides, pad));
    expect(r.calls).toBe(1);
    expect(maxRelDiff(r.native, r.wasm)).toBeLessThanOrEqual(1e-5);
    expect(maxRelDiff(r.native, r.cpu)).toBeLessThanOrEqual(1e-5);
  });

  it.each(cases)("input and filter gradients: %s", async (_name, x, w, strides, pad) => {
    // Both gradients of Σ conv(x, w)²: the input one runs Conv2DBackpropInput, the filter one Conv2DBackpropFilter.
    const loss = (a: Tensor4D, b: Tensor4D) => tf.conv2d(a, b, strides, pad).square().sum();
    const dx = await compare([x, w], (a, b) => tf.grad((v: Tensor) => loss(v as Tensor4D, b as Tensor4D))(a));
    const dw = await compare([x, w], (a, b) => tf.grad((v: Tensor) => loss(a as Tensor4D, v as Tensor4D))(b));
    expect(dx.calls).toBe(2);
    expect(dw.calls).toBe(2);
    for (const r of [dx, dw]) {
      expect(maxRelDiff(r.native, r.wasm)).toBeLessThanOrEqual(1e-4);
      expect(maxRelDiff(r.native, r.cpu)).toBeLessThanOrEqual(1e-4);
    }
  });

  it("forward with dilation 2 (gradients of dilated convs are not defined in TF.js)", async () => {
    const r = await compare(
      [
        [2, 12, 12, 3],
        [3, 3, 3, 4],
      ],
      (a, b) => tf.conv2d(a as Tensor4D, b as Tensor4D, 1, "same", "NHWC", 2),
    );
    expect(r.calls).toBe(1);
    expect(maxRelDiff(r.native, r.cpu)).toBeLessThanOrEqual(1e-5);
  });

  it.each(["linear", "relu", "elu", "sigmoid"] as const)("FusedConv2D with bias and %s (what predict runs)", async (activation) => {
    const r = await compare([[3, 10, 10, 2], [3, 3, 2, 5], [5]], (a, b, c) =>
      tf.fused.conv2d({ x: a as Tensor4D, filter: b as Tensor4D, strides: 1, pad: "same", bias: c, activation }),
    );
    expect(r.calls).toBe(1);
    expect(maxRelDiff(r.native, r.wasm)).toBeLessThanOrEqual(1e-5);
    expect(maxRelDiff(r.native, r.cpu)).toBeLessThanOrEqual(1e-5);
  });

  it("leaves NCHW and prelu to the kernels it replaced", async () => {
    const prelu = await compare([[2, 6, 6, 2], [3, 3, 2, 3], [3], [3]], (a, b, c, d) =>
      tf.fused.conv2d({
        x: a as Tensor4D,
        filter: b as Tensor4D,
        strides: 1,
        pad: "valid",
        bias: c,
        activation: "prelu",
        preluActivationWeights: d,
      }),
    );
    expect(prelu.calls).toBe(0);
    expect(maxRelDiff(prelu.native, prelu.wasm)).toBeLessThanOrEqual(1e-5);
    // wasm has no NCHW Conv2D: the replaced kernel's own error comes through unchanged.
    const [a, b] = [tf.ones([1, 2, 5, 5]), tf.ones([3, 3, 2, 1])];
    await expect(
      withKernels(tf, blas(), counting().kernels, () => tf.conv2d(a as Tensor4D, b as Tensor4D, 1, "valid", "NCHW")),
    ).rejects.toThrow(/does not support dataFormat/);
    tf.dispose([a, b]);
  });
});

describe.runIf(available)("training a CNN on the native conv kernels", () => {
  const options = (): TrainOptions => ({
    topology: parseModelSpec({
      format: "keras",
      topology: {
        class_name: "Sequential",
        config: {
          layers: [
            { class_name: "Conv2D", config: { filters: 4, kernel_size: [3, 3], activation: "relu", batch_input_shape: [null, 28, 28, 1] } },
            { class_name: "MaxPooling2D", config: { pool_size: [2, 2] } },
            { class_name: "Conv2D", config: { filters: 6, kernel_size: [3, 3], strides: [2, 2], padding: "same", activation: "relu" } },
            { class_name: "Flatten", config: {} },
            { class_name: "Dense", config: { units: 10, activation: "softmax" } },
          ],
        },
      },
    }).topology,
    training: {
      compile: { optimizer: "rmsprop", learningRate: 0.003, loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] },
      fit: { epochs: 2, batchSize: 64, validationSplit: 0.25, shuffle: true },
    },
    train: mnistSlice(640),
    task: { kind: "multiclass", numClasses: 10 },
    seed: 11,
  });
  const losses = (h: EpochMetrics[]) => h.flatMap((e) => [e.loss, e.valLoss ?? Number.NaN]);

  it("gives wasm's losses, reproduces its weights bit for bit and leaks no tensor", async () => {
    const before = tf.memory().numTensors;
    const count = counting();
    const { first, second, plain } = await trainOnBothPaths(tf, blas(), options, count.kernels);
    expect(count.calls()).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(first.report.backend).toBe(`wasm+${blas().kind}`);
    expect(plain.report.backend).toBe("wasm");
    // Same seed, same path: identical weights, hence identical verdicts.
    expect(second.weights).toEqual(first.weights);
    expect(losses(second.report.history)).toEqual(losses(first.report.history));
    // im2col + sgemm and wasm's XNNPACK sum in different orders: equal up to float32 rounding.
    const [got, want] = [losses(first.report.history), losses(plain.report.history)];
    want.forEach((w, i) => expect(Math.abs((got[i] ?? Number.NaN) - w)).toBeLessThan(1e-3 * (1 + Math.abs(w))));
    expect(first.report.history.at(-1)?.loss).toBeLessThan(first.report.history[0]?.loss ?? 0);
  });
});
