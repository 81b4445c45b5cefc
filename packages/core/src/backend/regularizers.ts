import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { activeBlas } from "./blas-kernels";
import type { Tf } from "./tf";

/** The fields of tfjs-layers' L1L2 regularizer this reads (public in JS). */
interface L1L2Fields {
  l1: number;
  l2: number;
  apply(x: Tensor): Tensor;
}

/** The slice of the wasm backend the penalty reads x through (public methods of BackendWasm). */
interface WasmHeap {
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: "float32" }): Float32Array;
}

/**
 * Computes Dense kernels' L2 penalties (a Keras `L1L2` regularizer with l1 = 0) on the native addon
 * when the BLAS kernels are active.
 *
 * Why: tfjs-layers computes l2·Σx·x with three kernels over the whole kernel, and its gradient with
 * six more (Sum's, both operands of x·x, their sum), each a pass over every weight: 401k of them for a
 * 784×512 layer, about a sixth of a training step of the 784-512(L2)-dropout-10 MNIST model. The addon
 * does each direction in one pass, in the same float32 operations and order (`l2Penalty`,
 * `l2PenaltyGrad`), so losses and weights are TF.js's to the bit (regularizers.test.ts).
 *
 * Installed on the regularizer instances of `model`'s layers (the layers' loss closures call them);
 * without the addon, with an L1 term, or for another dtype the regularizer's own `apply` runs.
 */
export function penalizeNatively(tf: Tf, model: LayersModel): void {
  for (const layer of model.layers) {
    for (const key of ["kernelRegularizer", "biasRegularizer"] as const) {
      const regularizer = (layer as unknown as Partial<Record<typeof key, unknown>>)[key];
      if (!regularizer || (regularizer as { getClassName?: () => string }).getClassName?.() !== "L1L2") continue;
      install(tf, regularizer as L1L2Fields);
    }
  }
}

function install(tf: Tf, regularizer: L1L2Fields): void {
  const own = regularizer.apply.bind(regularizer);
  const penalty = tf.customGrad(((x: Tensor) => {
    const native = activeBlas(tf);
    const heap = tf.backend() as unknown as WasmHeap;
    const view = () => heap.typedArrayFromHeap({ dataId: x.dataId, shape: x.shape, dtype: "float32" });
    const l2 = regularizer.l2;
    if (!native) throw new Error("the native L2 penalty ran without the addon");
    return {
      value: tf.scalar(native.l2Penalty(view(), l2)),
      gradFunc: (dy: Tensor) => {
        const scale = Math.fround((dy.dataSync()[0] ?? Number.NaN) * Math.fround(l2));
        // Written in place into a fresh wasm tensor (zerosLike allocates one, ours alone): a JS array
        // zeroed and then copied into the heap cost more than the pass itself for a 784×512 kernel.
        const out = tf.zerosLike(x);
        native.l2PenaltyGrad(view(), scale, heap.typedArrayFromHeap({ dataId: out.dataId, shape: out.shape, dtype: "float32" }));
        return [out];
      },
    };
  }) as unknown as Parameters<Tf["customGrad"]>[0]);
  regularizer.apply = (x) => {
    const { l1, l2 } = regularizer;
    if (!activeBlas(tf) || l1 !== 0 || l2 === 0 || x.dtype !== "float32" || tf.getBackend() !== "wasm") return own(x);
    // tfjs-layers' shape of it: zeros([1]) + the sum, reshaped to a scalar (same Add, same gradient path).
    return tf.tidy(() => tf.reshape(tf.add(tf.zeros([1]), penalty(x)), []));
  };
}
