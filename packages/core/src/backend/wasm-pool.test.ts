import type { Tensor, Tensor4D } from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { initBackend } from "./index";

const { tf, backend } = await initBackend();

/** The gradient of Σ maxPool(x) · r (r fixed random weights per window), as plain numbers. */
function poolGrad(x: Float32Array, shape: number[], size: [number, number], strides: [number, number], pad: "valid" | "same"): Float32Array {
  return tf.tidy(() => {
    const input = tf.tensor4d(x, shape as [number, number, number, number]);
    const pooled = tf.maxPool(input, size, strides, pad);
    const weights = tf.randomUniform(pooled.shape, 0.5, 1.5, "float32", 3);
    return tf.grad((v: Tensor) => tf.maxPool(v as Tensor4D, size, strides, pad).mul(weights).sum())(input).dataSync() as Float32Array;
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
    const total = tf.tidy(() => tf.grad((v: Tensor) => tf.maxPool(v as Tensor4D, 2, 2, "valid").sum())(x).sum().dataSync()[0]);
    expect(total).toBe(16);
    x.dispose();
  });
});
