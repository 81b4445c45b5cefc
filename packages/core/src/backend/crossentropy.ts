import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { activeBlas } from "./blas-kernels";
import type { Tf } from "./tf";

/** The fields of tfjs-layers' LayersModel this reads and replaces (public in JS, protected in the typings). */
interface CompiledModel {
  lossFunctions?: ((target: Tensor, output: Tensor) => Tensor)[];
  loss?: unknown;
}

/** The slice of the wasm backend the gradient reads and writes through (public methods of BackendWasm). */
interface WasmHeap {
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: "float32" }): Float32Array;
  epsilon(): number;
}

/**
 * categoricalCrossentropy's gradient in one native pass when the BLAS kernels are active.
 *
 * Why: tfjs-layers computes the loss of a softmax output as −Σ target·log(clip(p / Σp)), and
 * tfjs-core differentiates it kernel by kernel: Neg, Sum's, Multiply, RealDiv, the clip's five
 * (GreaterEqual, LessEqual, LogicalAnd, ZerosLike, Select), the division's two with their Square,
 * Neg, Sum and Reshape, and the accumulating Add, ~25 dispatches and their saved-tensor copies per
 * step on [batch, 10] tensors, where each dispatch costs more than its arithmetic. The forward pass
 * here is tfjs-layers' own ops (the same log, from wasm); the gradient is the addon's
 * `crossentropyGrad`, the same float32 operations in the same order, so losses and weights stay
 * TF.js's to the bit (crossentropy.test.ts).
 *
 * Installed on the compiled model (`setUpRun`) in place of the loss function tfjs-layers resolved
 * from "categoricalCrossentropy"; the metrics it chose from that name stay. Without the addon, or
 * off wasm, the loss function it replaced runs.
 */
export function nativeCrossentropy(tf: Tf, model: LayersModel): void {
  // A Sequential trains and evaluates through the functional model inside it (private in the typings).
  const compiled = (model instanceof tf.Sequential
    ? (model as unknown as { model: LayersModel }).model
    : model) as unknown as CompiledModel;
  const own = compiled.lossFunctions;
  if (compiled.loss !== "categoricalCrossentropy" || own?.length !== 1 || !own[0]) return;
  const replaced = own[0];
  const loss = tf.customGrad(((target: Tensor, p: Tensor, save: (tensors: Tensor[]) => void) => {
    const heap = tf.backend() as unknown as WasmHeap;
    const epsilon = heap.epsilon();
    // tfjs-layers' categoricalCrossentropy, op for op, keeping what the gradient reads.
    const s = tf.sum(p, p.rank - 1, true);
    const q = tf.div(p, s);
    const c = tf.clipByValue(q, epsilon, 1 - epsilon);
    const value = tf.neg(tf.sum(tf.mul(tf.cast(target, "float32"), tf.log(c)), p.rank - 1));
    save([p, target, q, c, s]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const native = activeBlas(tf);
        if (!native) throw new Error("the native crossentropy gradient ran without the addon");
        const out = tf.zerosLike(p);
        const view = (t: Tensor | undefined) => {
          if (!t) throw new Error("the crossentropy gradient lost a saved tensor");
          return heap.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: "float32" });
        };
        // out is fresh and ours alone (zerosLike allocates), so writing it in place is safe.
        native.crossentropyGrad(
          view(saved[0]),
          view(saved[1]),
          view(saved[2]),
          view(saved[3]),
          view(saved[4]),
          view(dy),
          epsilon,
          view(out),
        );
        // The target is no variable's descendant: the engine never asks for its gradient.
        return [tf.zerosLike(target), out];
      },
    };
  }) as unknown as Parameters<Tf["customGrad"]>[0]);
  compiled.lossFunctions = [
    (target, output) =>
      activeBlas(tf) && tf.getBackend() === "wasm" && output.dtype === "float32" && target.dtype === "float32" && output.rank >= 1
        ? loss(target, output)
        : replaced(target, output),
  ];
}
