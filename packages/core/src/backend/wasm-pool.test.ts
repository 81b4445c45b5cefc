import type { Tensor, Tensor4D } from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { activeBlas } from "./blas-kernels";
import { initBackend } from "./index";
import { maxPoolGradLoop } from "./wasm-pool";

const { tf, backend } = await initBackend();

/** The gradient of Σ maxPool(x) · r (r fixed random weights per window), as plain numbers. */
function poolGrad(
  x: Float32Array,
  shape: number[],
  size: [number, number],
  strides: [number, number],
  pad: "valid" | "same",
): Float32Array {
  return tf.tidy(() => {
    const input = tf.tensor4d(x, shape as [number, number, number, number]);
    const pooled = tf.maxPool(input, size, strides, pad);
    const weights = tf.randomUniform(pooled.shape, 0.5, 1.5, "float32", 3);
    return tf
      .grad((v: Tensor) =>
        tf
          .maxPool(v as Tensor4D, size, strides, pad)
          .mul(weights)
          .sum(),
      )(input)
      .dataSync() as Float32Array;
  });
}

describe.runIf(backend.startsWith("wasm"))("MaxPoolGrad on wasm", () => {
  // [x shape, pool, strides, padding]: what MaxPooling1D/2D allow (strides default to the pool size).
  const cases: [number[], [number, number], [number, number], "valid" | "same"][] = [
    [[1, 8, 8, 1], [2, 2], [2, 2], "valid"],
    [[4, 26, 26, 8], [2, 2], [2, 2], "valid"],
    [[2, 9, 11, 3], [3, 3], [2, 2], "same"],
    [[2, 7, 7, 2], [2, 3], [1, 1], "valid"],
    [[3, 1, 30, 4], [1, 2], [1, 2], "same"],
  ];
  it.each(cases)("x %j, pool %j, strides %j, %s: the cpu backend's gradient", async (shape, size, strides, pad) => {
    const before = tf.memory().numTensors;
    const x = tf.tidy(() => tf.randomNormal(shape, 0, 1, "float32", 5).dataSync() as Float32Array);
    const onWasm = poolGrad(x, shape, size, strides, pad);
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend("cpu");
    let onCpu: Float32Array;
    try {
      onCpu = poolGrad(x, shape, size, strides, pad);
    } finally {
      await tf.setBackend("wasm");
    }
    // Where windows overlap, a pixel's gradients are summed in float32 here and in float64 on cpu.
    const overlap = size[0] > strides[0] || size[1] > strides[1];
    if (!overlap) expect(Array.from(onWasm)).toEqual(Array.from(onCpu));
    onWasm.forEach((v, i) => expect(Math.abs(v - (onCpu[i] ?? Number.NaN))).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(v))));
  });

  // The regression: tfjs-backend-wasm 4.22's own kernel returned 12 here, dropping 4 windows' gradients.
  it("passes every window's gradient back (Σ over an 8×8 input with 2×2 windows is 16)", () => {
    const x = tf.randomNormal([1, 8, 8, 1], 0, 1, "float32", 9);
    const total = tf.tidy(
      () =>
        tf
          .grad((v: Tensor) => tf.maxPool(v as Tensor4D, 2, 2, "valid").sum())(x)
          .sum()
          .dataSync()[0],
    );
    expect(total).toBe(16);
    x.dispose();
  });
});

describe.runIf(activeBlas(tf) !== undefined)("MaxPoolGrad in the native addon", () => {
  // Inputs on a coarse grid, so windows hold ties: the first maximum in row-major order must win in both.
  it.each([
    [[4, 26, 26, 8], [2, 2], [2, 2], "valid"],
    [[2, 9, 11, 3], [3, 3], [2, 2], "same"],
    [[2, 7, 7, 2], [2, 3], [1, 1], "valid"],
  ] as [number[], [number, number], [number, number], "valid" | "same"][])(
    "x %j, pool %j, strides %j, %s: the JS loop's gradient to the bit",
    (shape, size, strides, pad) => {
      const native = activeBlas(tf)?.maxPoolGrad;
      if (!native) throw new Error("the BLAS kernels are registered but have no maxPoolGrad");
      const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], size, strides, 1, pad);
      const count = shape.reduce((p, d) => p * d, 1);
      const x = Float32Array.from({ length: count }, (_, i) => Math.round(Math.sin(i * 12.9898) * 4) / 2);
      const dy = Float32Array.from({ length: info.batchSize * info.outHeight * info.outWidth * info.inChannels }, (_, i) =>
        Math.cos(i * 78.233),
      );
      const fromLoop = new Float32Array(count);
      maxPoolGradLoop(x, dy, fromLoop, info);
      const fromNative = new Float32Array(count).fill(Number.NaN);
      native(x, dy, fromNative, {
        batch: info.batchSize,
        inHeight: info.inHeight,
        inWidth: info.inWidth,
        inChannels: info.inChannels,
        outHeight: info.outHeight,
        outWidth: info.outWidth,
        outChannels: info.inChannels,
        filterHeight: info.filterHeight,
        filterWidth: info.filterWidth,
        strideHeight: info.strideHeight,
        strideWidth: info.strideWidth,
        dilationHeight: 1,
        dilationWidth: 1,
        padTop: info.padInfo.top,
        padLeft: info.padInfo.left,
      });
      expect(Array.from(fromNative)).toEqual(Array.from(fromLoop));
    },
  );
});
