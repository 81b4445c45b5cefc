import type { KernelConfig, KernelFunc } from "@tensorflow/tfjs-core";
import type { NativeBlas } from "@stepwise/native-blas";
import { isWasmHeapBackend } from "./heap";
import type { Tf } from "./tf";

/**
 * Sum over the leading axes on the native addon: every Dense layer's bias gradient is dy summed over
 * the batch (Sum of [batch, units] over axis 0), once per layer per training step. wasm's Sum only
 * reduces innermost axes, so it first transposes dy into a fresh buffer; profiled on the MNIST MLP
 * 784-512-512-10 (batch 128) that transpose and sum took about a tenth of the non-matmul kernel time
 * of a step. The addon adds each column in the same order as wasm (rows in order from 0, float32), so
 * the sums, and every trained weight after them, are the same bits (reduce-kernels.test.ts).
 *
 * Handled: float32, the reduced axes being exactly the leading ones (axis 0 of a matrix, or 0..k−1).
 * Anything else (innermost axes, which wasm sums without a transpose; other dtypes) goes to the kernel
 * we replaced.
 */
function blasSum(tf: Tf, blas: NativeBlas, replaced: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs;
    const backend = args.backend;
    const attrs = args.attrs ?? {};
    if (!x || x.dtype !== "float32" || x.shape.length < 2 || !isWasmHeapBackend(backend)) return replaced.kernelFunc(args);
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const leading = axes.length > 0 && axes.length < x.shape.length && [...axes].sort((a, b) => a - b).every((axis, i) => axis === i);
    if (!leading) return replaced.kernelFunc(args);
    const kept = x.shape.slice(axes.length);
    const outShape = attrs.keepDims === true ? [...axes.map(() => 1), ...kept] : kept;
    const out = backend.makeOutput(outShape, "float32");
    // Views only now: makeOutput may have grown (and so detached) the heap.
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const ov = backend.typedArrayFromHeap(out) as Float32Array;
    if (ov.length > 0) blas.columnSums(xv, ov);
    return out;
  };
}

export const REDUCE_KERNELS = { Sum: blasSum } as const;
