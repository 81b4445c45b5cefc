import type { Optimizer, Tensor, Variable } from "@tensorflow/tfjs";
import { activeBlas } from "./blas-kernels";
import type { Tf } from "./tf";

/**
 * RMSProp for the training harness. With the BLAS kernels active (wasm+openblas) the update runs
 * as one in-place pass in the native addon; everywhere else this is `tf.train.rmsprop` unchanged.
 *
 * Why: once matrix products run on BLAS, TF.js's RMSProp update (~12 elementwise kernels, each
 * allocating a tensor the size of the weights) took about a third of an MNIST-MLP training step
 * (profiled: Multiply, Add, Sqrt, Square, RealDiv, Sub over 407k weights per step). The native
 * pass performs the same float32 operations in the same order, so weights, losses and verdicts
 * are bit-identical to the TF.js update (blas-kernels.test.ts checks this).
 */
export function rmsprop(tf: Tf, learningRate: number): Optimizer {
  if (!activeBlas(tf)) return tf.train.rmsprop(learningRate);
  return new (nativeRmspropClass(tf))(learningRate);
}

/** The fields of tfjs-core's RMSPropOptimizer this update reads and fills (private in its typings). */
/** What `applyGradients` receives: a name → gradient map or a list of named gradients. */
type VariableGradients = Parameters<Optimizer["applyGradients"]>[0];

interface RmspropFields {
  learningRate: number;
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
  accumulatedMeanSquares: ({ originalName: string; variable: Variable } | undefined)[];
  accumulatedMoments: ({ originalName: string; variable: Variable } | undefined)[];
}

/** The slice of the wasm backend the in-place update needs (public methods of BackendWasm). */
interface WasmHeap {
  refCount(dataId: object): number;
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: "float32" }): Float32Array;
}

function nativeRmspropClass(tf: Tf) {
  return class NativeRmsprop extends tf.RMSPropOptimizer {
    override applyGradients(variableGradients: VariableGradients): void {
      if (!this.applyInPlace(variableGradients)) super.applyGradients(variableGradients);
    }

    /**
     * Updates every variable in place, or touches nothing and returns false when it cannot (not on
     * wasm, another dtype, centered, a missing gradient, or a buffer another tensor shares: writing
     * it in place would change that tensor too). TF.js's own update then runs, with the same result.
     */
    private applyInPlace(variableGradients: VariableGradients): boolean {
      const self = this as unknown as RmspropFields;
      const heap = tf.backend() as unknown as Partial<WasmHeap>;
      // Looked up per step: the BLAS kernels (and their library) may have been unregistered since.
      const native = activeBlas(tf);
      if (
        !native ||
        self.centered ||
        tf.getBackend() !== "wasm" ||
        typeof heap.refCount !== "function" ||
        typeof heap.typedArrayFromHeap !== "function"
      )
        return false;
      const pairs = Array.isArray(variableGradients)
        ? variableGradients.map((item) => [item.name, item.tensor] as const)
        : Object.entries(variableGradients).map(([name, tensor]) => [name, tensor] as const);
      const registered = tf.engine().registeredVariables;
      const updates: { value: Tensor; grad: Tensor; ms: Variable; mom: Variable }[] = [];
      for (const [i, [name, grad]] of pairs.entries()) {
        const value = registered[name];
        if (!value || !grad || value.dtype !== "float32" || grad.dtype !== "float32" || value.size !== grad.size) return false;
        // Created as tfjs-core creates them (same names, zeros), so getWeights/setWeights keep working.
        self.accumulatedMeanSquares[i] ??= { originalName: `${name}/rms`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedMoments[i] ??= { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const ms = self.accumulatedMeanSquares[i].variable;
        const mom = self.accumulatedMoments[i].variable;
        if ([value, ms, mom].some((t) => heap.refCount?.(t.dataId) !== 1)) return false;
        updates.push({ value, grad, ms, mom });
      }
      // Views only now: creating the accumulators above may have grown (and detached) the heap.
      const view = (t: Tensor) => (heap as WasmHeap).typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: "float32" });
      for (const { value, grad, ms, mom } of updates) {
        native.rmsprop(view(value), view(grad), view(ms), view(mom), self.learningRate, self.decay, self.momentum, self.epsilon);
      }
      this.incrementIterations();
      return true;
    }
  };
}
