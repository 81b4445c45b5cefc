import type { GradConfig, Tensor } from "@tensorflow/tfjs-core";
import type { Tf } from "./tf";

/**
 * Sum's gradient without the array of ones. TF.js spreads dy back over x as dy · ones(x.shape): the
 * ones are filled in JS and copied into the backend on every step. An L2 penalty sums the square of a
 * whole kernel, so each step built 401k ones for a 784×512 Dense layer: profiled on the
 * 784-512(L2)-dropout-10 MNIST model, about an eighth of a training step's CPU. −0 + dy broadcast over
 * x gives dy · 1 to the bit (−0 is the identity of float addition, as 1 is of multiplication, −0 and
 * infinities included), with a native fill and one broadcast add. Non-float32 gradients keep TF.js's.
 */
function sumGradient(tf: Tf, replaced: GradConfig): GradConfig & { stepwise: true } {
  return {
    kernelName: "Sum",
    inputsToSave: ["x"],
    stepwise: true,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const single = Array.isArray(dy) ? undefined : dy;
      if (!x || !single || single.dtype !== "float32" || !replaced.gradFunc) return replaced.gradFunc?.(dy, saved, attrs) ?? {};
      const expanded = x.shape.slice();
      for (const axis of tf.util.parseAxisParam(attrs.axis as number | number[], x.shape)) expanded[axis] = 1;
      return { x: () => tf.add<Tensor>(tf.fill(x.shape, -0, "float32"), tf.reshape(single, expanded)) };
    },
  };
}

/** Installs the gradients above in TF.js's (process-wide) gradient registry. Idempotent. */
export function registerGradients(tf: Tf): void {
  const current = tf.getGradient("Sum") as (GradConfig & { stepwise?: true }) | undefined;
  if (!current || current.stepwise) return;
  // Unregistered first: registering over a gradient logs a warning.
  tf.unregisterGradient("Sum");
  tf.registerGradient(sumGradient(tf, current));
}
