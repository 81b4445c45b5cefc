import type { Tensor } from "@tensorflow/tfjs";
import type { GradConfig } from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { initBackend } from "./index";
import { bits } from "./testing";

const { tf } = await initBackend();

/** Runs `f` with TF.js's own Sum gradient in place of ours. */
function withTfjsSumGradient<T>(f: () => T): T {
  const ours = tf.getGradient("Sum") as GradConfig & { stepwise?: true };
  // The config ours replaced is kept by its closure only; TF.js's is rebuilt from its definition: dy · ones.
  const tfjs: GradConfig = {
    kernelName: "Sum",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (!x || Array.isArray(dy)) throw new Error("unexpected Sum gradient inputs");
      const expanded = x.shape.slice();
      for (const axis of tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape)) expanded[axis] = 1;
      const derX = tf.mul(tf.reshape(dy, expanded), tf.ones(x.shape, "float32"));
      return { x: () => derX };
    },
  };
  expect(ours.stepwise).toBe(true);
  tf.unregisterGradient("Sum");
  tf.registerGradient(tfjs);
  try {
    return f();
  } finally {
    tf.unregisterGradient("Sum");
    tf.registerGradient(ours);
  }
}

describe("Sum's gradient without the array of ones", () => {
  // Upstream gradients that would show another formula: −0, ±infinity, tiny and huge values.
  const upstream = [-0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -3.5e38, 0.125, -7];
  it.each([
    ["every axis (an L2 penalty)", [6, 4], undefined],
    ["the leading axis (a bias gradient)", [5, 8], [0]],
    ["the last axis, kept", [3, 8], [-1]],
    ["two of three axes", [2, 3, 8], [0, 2]],
  ] as const)("equals dy · ones to the bit: %s", (_name, shape, axis) => {
    const x = tf.randomNormal([...shape], 0, 1, "float32", 3);
    const weights = (n: number) => tf.tensor(Array.from({ length: n }, (_, i) => upstream[i % upstream.length] ?? 1));
    // d/dx of Σ w · sum(x, axis): the upstream gradient of the Sum is w itself.
    const grad = () =>
      tf.tidy(() => {
        const g = tf.grad((v: Tensor) => {
          const s = tf.sum(v, axis === undefined ? undefined : [...axis]);
          return tf.sum(tf.mul(s, weights(s.size).reshape(s.shape)));
        })(x);
        return g.dataSync() as Float32Array;
      });
    const ours = grad();
    const theirs = withTfjsSumGradient(grad);
    expect(ours).toHaveLength(x.size);
    expect(bits(ours)).toEqual(bits(theirs));
    x.dispose();
  });

  it("is installed once (initBackend is idempotent)", () => {
    expect((tf.getGradient("Sum") as GradConfig & { stepwise?: true }).stepwise).toBe(true);
  });
});
