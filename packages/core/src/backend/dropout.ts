import type { Tensor } from "@tensorflow/tfjs";
import { activeBlas } from "./blas-kernels";
import type { Tf } from "./tf";

/** The fields of tfjs-layers' Dropout this reads (the layer's own, public in JS). */
interface DropoutFields {
  rate: number;
  noiseShape?: number[] | null;
  seed?: number;
  call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[];
}

/**
 * Draws a Dropout layer's training mask on the native addon when the BLAS kernels are active.
 *
 * Why: `tf.dropout` draws its mask in JS (seedrandom's Alea, one double per unit: ~2 ms for a
 * 128×512 batch), copies it into wasm and turns it into the multiplier with three more kernels
 * (Add, Floor, RealDiv); for a 784-512-dropout-10 MNIST model that was about as much CPU as the
 * step's matrix products. The addon computes the same multiplier in the same float32 operations from
 * the same seed (`dropoutMask`), so masks, weights and verdicts are TF.js's to the bit
 * (dropout.test.ts); the layer then multiplies by it exactly as tf.dropout does, with the same gradient.
 *
 * Anything else — no addon, a backend other than wasm, inference, a noise shape, no seed, a rate
 * outside (0, 1) — goes to the layer's own `call`. Installed on the layer instance (randomness.ts
 * does it for every Dropout layer it seeds); the addon is looked up per call, as the BLAS kernels
 * may be unregistered since.
 */
export function drawDropoutNatively(tf: Tf, layer: object): void {
  const fields = layer as DropoutFields;
  const own = fields.call.bind(layer);
  fields.call = (inputs, kwargs) => {
    const native = activeBlas(tf);
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    const { rate, seed } = fields;
    if (
      !native ||
      tf.getBackend() !== "wasm" ||
      !x ||
      kwargs.training !== true ||
      fields.noiseShape != null ||
      seed === undefined ||
      !Number.isSafeInteger(seed) ||
      !(rate > 0 && rate < 1) ||
      x.dtype !== "float32"
    )
      return own(inputs, kwargs);
    return tf.tidy(() => {
      // Drawn straight into a fresh wasm tensor (zerosLike allocates one, ours alone), not into a JS
      // array copied over afterwards.
      const multiplier = tf.zerosLike(x);
      const heap = tf.backend() as unknown as {
        typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: "float32" }): Float32Array;
      };
      native.dropoutMask(seed, 1 - rate, heap.typedArrayFromHeap({ dataId: multiplier.dataId, shape: multiplier.shape, dtype: "float32" }));
      return tf.mul(x, multiplier);
    });
  };
}
