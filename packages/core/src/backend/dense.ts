import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import type { GradConfig, KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { activeBlas, multiplyOnHeap } from "./blas-kernels";
import { isWasmHeapBackend } from "./heap";
import type { Tf } from "./tf";

/** Kernel names of our own (no TF.js kernel has them): relu(x·W + b) and relu's gradient from its output. */
export const DENSE_RELU = "StepwiseDenseRelu";
export const RELU_GRAD = "StepwiseReluGrad";

/** The fields of tfjs-layers' Dense this reads (public in JS). */
interface DenseFields {
  kernel?: { read(): Tensor } | null;
  bias?: { read(): Tensor } | null;
  activation?: { getClassName(): string } | null;
  call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[];
}

/**
 * A hidden Dense layer's relu(x·W + b) in training as one kernel, and its gradient in one pass
 * besides the matrix products, when the BLAS kernels are active.
 *
 * Why: under a gradient tape tfjs-core does not fuse a Dense layer: it runs MatMul, Add and Relu,
 * and backward Step, Cast, Multiply, Sum and two Reshapes around the two products, each a kernel
 * dispatch, a tape entry and, for Add, Relu, Step and Multiply, a pass over the batch's 128×512
 * activations with a fresh buffer. Here the forward pass is the same sgemm with the bias and relu in
 * one pass after it (`biasRelu`), the backward pass one `reluGrad` pass, then the same Sum and
 * MatMul kernels on the same values as tfjs-core's gradients: weights, losses and verdicts stay
 * TF.js's to the bit (dense.test.ts). The gradient is a registered kernel gradient, not customGrad,
 * so the engine still skips the product for an input no variable depends on (the first layer's x).
 *
 * Installed on the layer instances (`setUpRun`); inference (gradientDepth 0 already fuses), another
 * activation, no bias, an input of rank ≠ 2 or no addon take the layer's own `call`.
 */
export function fuseDenseNatively(tf: Tf, model: LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "Dense") continue;
    const fields = layer as unknown as DenseFields;
    if (fields.activation?.getClassName() !== "relu") continue;
    register(tf);
    const own = fields.call.bind(layer);
    fields.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
      const kernel = fields.kernel?.read();
      const bias = fields.bias?.read();
      if (
        kwargs.training !== true ||
        !x ||
        !kernel ||
        !bias ||
        x.rank !== 2 ||
        kernel.rank !== 2 ||
        x.dtype !== "float32" ||
        !activeBlas(tf) ||
        tf.getBackend() !== "wasm"
      )
        return own(inputs, kwargs);
      return tf.engine().runKernel<Tensor>(DENSE_RELU, { x, kernel, bias }, {});
    };
  }
}

function register(tf: Tf): void {
  if (tf.getKernel(DENSE_RELU, "wasm")) return;
  const forward: KernelFunc = ({ inputs, backend }) => {
    const { x, kernel, bias } = inputs as { x: TensorInfo; kernel: TensorInfo; bias: TensorInfo };
    const native = activeBlas(tf);
    if (!native || !isWasmHeapBackend(backend)) throw new Error(`${DENSE_RELU} ran without the native addon on wasm`);
    // The product alone (beta = 0, as MatMul computes it), then t = c + b and relu, as Add and Relu do.
    const { out, c } = multiplyOnHeap(tf, native, backend, x, kernel, {});
    native.biasRelu(c, backend.typedArrayFromHeap(bias) as Float32Array);
    return out;
  };
  const gradient: KernelFunc = ({ inputs, backend }) => {
    const { dy, y } = inputs as { dy: TensorInfo; y: TensorInfo };
    const native = activeBlas(tf);
    if (!native || !isWasmHeapBackend(backend)) throw new Error(`${RELU_GRAD} ran without the native addon on wasm`);
    const out = backend.makeOutput(dy.shape, "float32");
    const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    native.reluGrad(view(dy), view(y), view(out));
    return out;
  };
  const kernels: KernelConfig[] = [
    { kernelName: DENSE_RELU, backendName: "wasm", kernelFunc: forward },
    { kernelName: RELU_GRAD, backendName: "wasm", kernelFunc: gradient },
  ];
  for (const config of kernels) tf.registerKernel(config);
  const grad: GradConfig = {
    kernelName: DENSE_RELU,
    inputsToSave: ["x", "kernel"],
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [x, kernel, y] = saved as [Tensor, Tensor, Tensor];
      // Eager, once: the thunks run inside the engine's tidy, which would free a lazily made g.
      const g = tf.engine().runKernel<Tensor>(RELU_GRAD, { dy: dy as Tensor, y }, {});
      // tfjs-core's MatMul and Add gradients for a = x·W, a + b, on a's gradient g.
      return {
        x: () => tf.matMul(g, kernel, false, true),
        kernel: () => tf.matMul(x, g, true, false),
        bias: () => tf.reshape(tf.sum(g, [0]), [kernel.shape[1] ?? 0]),
      };
    },
  };
  tf.registerGradient(grad);
}
