import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { ConvGeometry, ConvKernel, NativeBlas } from "@stepwise/native-blas";
import { ACTIVATIONS, isWasmHeapBackend, type WasmHeapBackend } from "./heap";
import type { Tf } from "./tf";

/**
 * Conv2D (plain and fused) and both of its gradients on the native addon: im2col + sgemm,
 * reading and writing the wasm heap in place like the matmul kernels (blas-kernels.ts).
 *
 * Why: after MaxPoolGrad (wasm-pool.ts), a Conv2D(8, 3×3)–MaxPool–Dense MNIST model spends most
 * of a training step in Conv2DBackpropFilter (wasm has none; wasm-conv.ts builds it from
 * transposes and a 128-channel convolution), then in wasm's Conv2D. Measured on the addon alone
 * (128×28×28×1 → 8 filters, 3×3): forward, input and filter gradients ~1.5 ms each of CPU time.
 *
 * Handled: float32, NHWC (the only layout the model allowlist lets through), any strides,
 * paddings (valid, same, explicit) and forward dilations. Anything else (NCHW, other dtypes,
 * empty tensors, prelu, a bias that is not one value per filter) goes to the kernel we replaced.
 */

type ConvInfo = ReturnType<Tf["backend_util"]["computeConv2DInfo"]>;

/** TF.js's Conv2DInfo (also what `computePool2DInfo` returns) as the native addon reads it. */
export function geometry(info: ConvInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** What every kernel here needs before it may run natively; otherwise the replaced kernel runs. */
function nativeCase(backend: unknown, attrs: NamedAttrMap, tensors: (TensorInfo | undefined)[]): backend is WasmHeapBackend {
  const format = attrs.dataFormat;
  return (
    isWasmHeapBackend(backend) &&
    (format === undefined || format === "NHWC" || format === "channelsLast") &&
    tensors.every((t) => t !== undefined && t.dtype === "float32" && t.shape.every((d) => d > 0))
  );
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

type ConvAttrs = { strides: [number, number] | number; pad: "valid" | "same" | number; dimRoundingMode?: "floor" | "round" | "ceil" };

function convInfo(tf: Tf, xShape: number[], filterShape: number[], attrs: NamedAttrMap, dilations: [number, number] | number): ConvInfo {
  const a = attrs as unknown as ConvAttrs;
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    dilations,
    a.pad,
    a.dimRoundingMode,
  );
}

/** Runs `kernel(a, b, out)` into a fresh output of `shape`, taking heap views only after allocating it. */
function run(
  backend: WasmHeapBackend,
  kernel: ConvKernel,
  a: TensorInfo,
  b: TensorInfo,
  shape: number[],
  g: ConvGeometry,
): { out: TensorInfo; view: Float32Array } {
  const out = backend.makeOutput(shape, "float32");
  const view = backend.typedArrayFromHeap(out) as Float32Array;
  kernel(backend.typedArrayFromHeap(a) as Float32Array, backend.typedArrayFromHeap(b) as Float32Array, view, g);
  return { out, view };
}

type Factory = (tf: Tf, blas: NativeBlas, replaced: KernelConfig) => KernelFunc;

const conv2d: Factory = (tf, blas, replaced) => (args) => {
  const { x, filter } = args.inputs;
  const attrs = args.attrs ?? {};
  if (!nativeCase(args.backend, attrs, [x, filter]) || !x || !filter) return replaced.kernelFunc(args);
  const info = convInfo(tf, x.shape, filter.shape, attrs, attrs.dilations as [number, number]);
  return run(args.backend, blas.conv2d, x, filter, info.outShape, geometry(info)).out;
};

const fusedConv2d: Factory = (tf, blas, replaced) => (args) => {
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs ?? {};
  const activation = typeof attrs.activation === "string" ? attrs.activation : "linear";
  const apply = Object.hasOwn(ACTIVATIONS, activation) ? ACTIVATIONS[activation] : undefined;
  const outChannels = filter?.shape[3];
  const biasOk = !bias || (bias.dtype === "float32" && bias.shape.reduce((p, d) => p * d, 1) === outChannels);
  if (preluActivationWeights || apply === undefined || !biasOk || !nativeCase(args.backend, attrs, [x, filter]) || !x || !filter)
    return replaced.kernelFunc(args);
  const info = convInfo(tf, x.shape, filter.shape, attrs, attrs.dilations as [number, number]);
  const { out, view } = run(args.backend, blas.conv2d, x, filter, info.outShape, geometry(info));
  const b = bias ? (args.backend.typedArrayFromHeap(bias) as Float32Array) : undefined;
  const alpha = typeof attrs.leakyreluAlpha === "number" ? attrs.leakyreluAlpha : 0.2;
  const c = info.outChannels;
  if (b || apply) {
    for (let i = 0; i < view.length; i++) {
      const v = b ? Math.fround((view[i] ?? 0) + (b[i % c] ?? 0)) : (view[i] ?? 0);
      view[i] = apply ? apply(v, alpha) : v;
    }
  }
  return out;
};

const conv2dBackpropInput: Factory = (tf, blas, replaced) => (args) => {
  const { dy, filter } = args.inputs;
  const attrs = args.attrs ?? {};
  if (!nativeCase(args.backend, attrs, [dy, filter]) || !dy || !filter) return replaced.kernelFunc(args);
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(tf, inputShape, filter.shape, attrs, 1);
  if (!sameShape(info.outShape, dy.shape)) return replaced.kernelFunc(args);
  return run(args.backend, blas.conv2dBackpropInput, dy, filter, inputShape, geometry(info)).out;
};

const conv2dBackpropFilter: Factory = (tf, blas, replaced) => (args) => {
  const { x, dy } = args.inputs;
  const attrs = args.attrs ?? {};
  if (!nativeCase(args.backend, attrs, [x, dy]) || !x || !dy) return replaced.kernelFunc(args);
  const filterShape = attrs.filterShape as number[];
  const info = convInfo(tf, x.shape, filterShape, attrs, 1);
  if (!sameShape(info.outShape, dy.shape)) return replaced.kernelFunc(args);
  return run(args.backend, blas.conv2dBackpropFilter, x, dy, filterShape, geometry(info)).out;
};

/** The kernels this file puts on the native addon, by TF.js kernel name. */
export const CONV_KERNELS: Record<string, Factory> = {
  Conv2D: conv2d,
  FusedConv2D: fusedConv2d,
  Conv2DBackpropInput: conv2dBackpropInput,
  Conv2DBackpropFilter: conv2dBackpropFilter,
};
