import type { LayersModel, Scalar, Tensor } from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { buildModel } from "../training";
import { denseOnMnist, mnistArrays } from "../training/testing";
import { drawDropoutNatively } from "./dropout";
import { bits, countingCalls, nativeKernelsUnderTest, trainingPass, withKernels } from "./testing";

const { tf, available, blas } = await nativeKernelsUnderTest("native dropout");
const counting = () => countingCalls(blas(), ["dropoutMask"]);

describe.runIf(available)("native dropout masks are tf.dropout's to the bit", () => {
  it.each([
    [1, 0.3, [128, 512]],
    [2147483648, 0.5, [64, 10]],
    [987654321, 0.1, [7]],
    [42, 0.9, [3, 5, 2]],
  ])("seed %i, rate %f, shape %j", (seed, rate, shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    // ones · multiplier is the multiplier itself.
    const theirs = tf.tidy(() => tf.dropout(tf.ones(shape), rate, undefined, seed).dataSync() as Float32Array);
    const ours = new Float32Array(size);
    blas().dropoutMask(seed, 1 - rate, ours);
    expect(bits(ours)).toEqual(bits(theirs));
    // A real mask: some units dropped, the rest scaled by 1 / keepProb.
    expect(ours.some((v) => v === 0)).toBe(true);
    expect(ours.every((v) => v === 0 || v === Math.fround(1 / Math.fround(1 - rate)))).toBe(true);
  });

  it("another seed draws another mask", () => {
    const [a, b] = [new Float32Array(512), new Float32Array(512)];
    blas().dropoutMask(7, 0.5, a);
    blas().dropoutMask(8, 0.5, b);
    expect(bits(a)).not.toEqual(bits(b));
  });

  it.each([
    ["a fractional seed", () => blas().dropoutMask(1.5, 0.5, new Float32Array(2)), "dropoutMask: seed must be a safe integer, got 1.5"],
    ["keepProb 0", () => blas().dropoutMask(1, 0, new Float32Array(2)), "dropoutMask: keepProb must be in (0, 1], got 0"],
    [
      "a plain array",
      () => blas().dropoutMask(1, 0.5, [0] as unknown as Float32Array),
      "dropoutMask: out must be a Float32Array, got an object",
    ],
  ])("refuses %s", (_name, call, message) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(message);
  });
});

describe.runIf(available)("a Dropout layer drawing natively", () => {
  const topology = denseOnMnist(
    40,
    { class_name: "Dropout", config: { rate: 0.3 } },
    { class_name: "Dense", config: { units: 10, activation: "softmax" } },
  );
  const set = mnistArrays(96);
  const { pixels } = set;

  /** Outputs and every weight's gradient of one training-mode pass with the dropout seed given. */
  function pass(model: LayersModel, seed: number): Float32Array[] {
    const dropout = model.layers.find((l) => l.getClassName() === "Dropout") as unknown as { seed?: number };
    dropout.seed = seed;
    return tf.tidy(() => trainingPass(tf, model, tf.tensor2d(pixels, [set.n, 784]), (out) => out.square().mean<Scalar>()));
  }

  it("gives TF.js's outputs and gradients to the bit, and leaves inference alone", async () => {
    const ours = await buildModel(tf, topology, 5);
    const theirs = await buildModel(tf, topology, 5);
    const layer = ours.layers.find((l) => l.getClassName() === "Dropout");
    if (!layer) throw new Error("no Dropout layer");
    drawDropoutNatively(tf, layer);
    try {
      const before = tf.memory().numTensors;
      const count = counting();
      const native = await withKernels(tf, blas(), count.kernels, () => pass(ours, 1234));
      expect(count.calls()).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
      const plain = pass(theirs, 1234);
      expect(native.map(bits)).toEqual(plain.map(bits));
      expect(pass(ours, 1235).map(bits)).not.toEqual(native.map(bits));
      // Inference: the layer passes its input through, natively or not.
      const infer = await withKernels(tf, blas(), count.kernels, () =>
        tf.tidy(() => (ours.apply(tf.tensor2d(pixels, [set.n, 784])) as Tensor).dataSync() as Float32Array),
      );
      expect(count.calls()).toBe(1);
      expect(bits(infer)).toEqual(
        bits(tf.tidy(() => (theirs.apply(tf.tensor2d(pixels, [set.n, 784])) as Tensor).dataSync() as Float32Array)),
      );
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  });
});
