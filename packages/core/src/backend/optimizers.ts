import type { Optimizer, Tensor, Variable } from "@tensorflow/tfjs";
import type { NativeBlas } from "@stepwise/native-blas";
import { activeBlas } from "./blas-kernels";
import type { Tf } from "./tf";

/**
 * RMSProp and Adam for the training harness. With the BLAS kernels active (wasm+openblas) each
 * update runs as one in-place pass per weight in the native addon; everywhere else they are
 * `tf.train.rmsprop` and `tf.train.adam` unchanged.
 *
 * Why: once matrix products run on BLAS, TF.js's RMSProp update (~12 elementwise kernels, each
 * allocating a tensor the size of the weights) took about a third of an MNIST-MLP training step
 * (profiled: Multiply, Add, Sqrt, Square, RealDiv, Sub over 407k weights per step). Adam's is ~16
 * kernels per weight: on the small tabular models of steps 5–7, where a step's cost is kernel
 * dispatch rather than arithmetic, it was most of the kernels a step ran (236 of them for a
 * 17-128-128-1 model, 160 with plain SGD). The native passes perform the same float32 operations in
 * the same order, so weights, losses and verdicts are bit-identical to the TF.js updates
 * (optimizers.test.ts checks this).
 */
export function rmsprop(tf: Tf, learningRate: number): Optimizer {
  if (!activeBlas(tf)) return tf.train.rmsprop(learningRate);
  return new (nativeRmspropClass(tf))(learningRate);
}

/** Adam with `tf.train.adam`'s defaults: beta1 0.9, beta2 0.999, the backend's epsilon. */
export function adam(tf: Tf, learningRate: number): Optimizer {
  if (!activeBlas(tf)) return tf.train.adam(learningRate);
  return new (nativeAdamClass(tf))(learningRate, 0.9, 0.999);
}

/** What `applyGradients` receives: a name → gradient map or a list of named gradients (Adam's typings name the map's values variables). */
type VariableGradients = Parameters<Optimizer["applyGradients"]>[0];
type AdamGradients = Parameters<Tf["AdamOptimizer"]["prototype"]["applyGradients"]>[0];

/** A slot variable as tfjs-core's optimizers keep them (private in its typings). */
type Slot = { originalName: string; variable: Variable } | undefined;

/** The slice of the wasm backend the in-place updates need (public methods of BackendWasm). */
interface WasmHeap {
  refCount(dataId: object): number;
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: "float32" }): Float32Array;
}

/**
 * The float32 views an in-place update writes — per weight: its value, its gradient and its slots
 * (created as tfjs-core creates them, same names, zeros, so getWeights/setWeights keep working) —
 * then `scalars`' views; or null, touching nothing, when the update cannot run in place: not on
 * wasm, another dtype, a missing gradient, or a buffer another tensor shares (writing it in place
 * would change that tensor too). The caller then runs TF.js's own update, with the same result.
 */
function inPlaceViews(
  tf: Tf,
  variableGradients: VariableGradients | AdamGradients,
  slotLists: Slot[][],
  slotNames: readonly string[],
  scalars: readonly Variable[] = [],
): { native: NativeBlas; weights: Float32Array[][]; scalars: Float32Array[] } | null {
  const heap = tf.backend() as unknown as Partial<WasmHeap>;
  // Looked up per step: the BLAS kernels (and their library) may have been unregistered since.
  const native = activeBlas(tf);
  if (!native || tf.getBackend() !== "wasm" || typeof heap.refCount !== "function" || typeof heap.typedArrayFromHeap !== "function")
    return null;
  const pairs = Array.isArray(variableGradients)
    ? variableGradients.map((item) => [item.name, item.tensor] as const)
    : Object.entries(variableGradients).map(([name, tensor]) => [name, tensor] as const);
  const registered = tf.engine().registeredVariables;
  const updates: Tensor[][] = [];
  for (const [i, [name, grad]] of pairs.entries()) {
    const value = registered[name];
    if (!value || !grad || value.dtype !== "float32" || grad.dtype !== "float32" || value.size !== grad.size) return null;
    const slots = slotLists.map((list, s) => {
      list[i] ??= { originalName: `${name}/${slotNames[s] ?? ""}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      return list[i].variable;
    });
    if ([value, ...slots].some((t) => heap.refCount?.(t.dataId) !== 1)) return null;
    updates.push([value, grad, ...slots]);
  }
  if (scalars.some((t) => t.dtype !== "float32" || heap.refCount?.(t.dataId) !== 1)) return null;
  // Views only now: creating the slots above may have grown (and detached) the heap.
  const view = (t: Tensor) => (heap as WasmHeap).typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: "float32" });
  return { native, weights: updates.map((tensors) => tensors.map(view)), scalars: scalars.map(view) };
}

/** The fields of tfjs-core's RMSPropOptimizer this update reads and fills (private in its typings). */
interface RmspropFields {
  learningRate: number;
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
  accumulatedMeanSquares: Slot[];
  accumulatedMoments: Slot[];
}

function nativeRmspropClass(tf: Tf) {
  return class NativeRmsprop extends tf.RMSPropOptimizer {
    override applyGradients(variableGradients: VariableGradients): void {
      const self = this as unknown as RmspropFields;
      const found = self.centered
        ? null
        : inPlaceViews(tf, variableGradients, [self.accumulatedMeanSquares, self.accumulatedMoments], ["rms", "momentum"]);
      if (!found) return super.applyGradients(variableGradients);
      for (const [value, grad, ms, mom] of found.weights) {
        if (value && grad && ms && mom)
          found.native.rmsprop(value, grad, ms, mom, self.learningRate, self.decay, self.momentum, self.epsilon);
      }
      this.incrementIterations();
    }
  };
}

/** The fields of tfjs-core's AdamOptimizer this update reads and fills (private in its typings). */
interface AdamFields {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
}

function nativeAdamClass(tf: Tf) {
  return class NativeAdam extends tf.AdamOptimizer {
    override applyGradients(variableGradients: AdamGradients): void {
      const self = this as unknown as AdamFields;
      const found = inPlaceViews(
        tf,
        variableGradients,
        [self.accumulatedFirstMoment, self.accumulatedSecondMoment],
        ["m", "v"],
        [self.accBeta1, self.accBeta2],
      );
      const [acc1, acc2] = found?.scalars ?? [];
      if (!found || !acc1 || !acc2) return super.applyGradients(variableGradients);
      const r = Math.fround;
      // TF.js takes 1 − beta^t from its float32 accumulators once per step, for every weight.
      const [c1, c2] = [r(1 - (acc1[0] ?? 0)), r(1 - (acc2[0] ?? 0))];
      for (const [value, grad, m, v] of found.weights) {
        if (value && grad && m && v) found.native.adam(value, grad, m, v, self.learningRate, self.beta1, self.beta2, self.epsilon, c1, c2);
      }
      acc1[0] = r((acc1[0] ?? 0) * r(self.beta1));
      acc2[0] = r((acc2[0] ?? 0) * r(self.beta2));
      this.incrementIterations();
    }
  };
}
