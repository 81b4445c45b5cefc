import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import type { NativeBlas } from "@stepwise/native-blas";
import { CONV_KERNELS } from "./conv-kernels";
import { ACTIVATIONS, isWasmHeapBackend, type WasmHeapBackend } from "./heap";
import { REDUCE_KERNELS } from "./reduce-kernels";
import type { Tf } from "./tf";

/**
 * BatchMatMul and _FusedMatMul on the machine's BLAS, over the wasm backend's own memory.
 *
 * Dense training is ~95% matrix products (forward x·W, backward dy·Wᵀ and xᵀ·dy). wasm's XNNPACK
 * matmul peaks at ~30 GFLOPS here and needs its operands untransposed (wasm-kernels.ts copies
 * them); OpenBLAS's sgemm runs ~100 GFLOPS on one thread and reads transposed operands in place.
 * So these kernels pass the transpose flags straight to sgemm and let it read and write the wasm
 * heap through Float32Array views: no transposes, no copies. Convolutions and MaxPool's gradient
 * (conv-kernels.ts) and Sum over leading axes, the bias gradient (reduce-kernels.ts), run the same
 * way; everything else stays on wasm.
 *
 * The output is allocated with the backend's `makeOutput` *before* any view is taken: allocating
 * can grow the wasm memory, which detaches every earlier view of it.
 */

/**
 * A kernel config of ours, carrying what it replaced so {@link unregisterBlasKernels} can put it
 * back, and the BLAS it runs on (the engine's kernel registry is the one process-wide place that
 * knows whether the native path is active; no module-level state of our own).
 */
type BlasKernelConfig = KernelConfig & { stepwise: true; blas: NativeBlas["kind"]; native: NativeBlas; replaced: KernelConfig };

interface Plan {
  m: number;
  n: number;
  k: number;
  outShape: number[];
  /** For each output matrix, the index of the A and B matrix it multiplies (batch broadcasting). */
  aIndex: Int32Array;
  bIndex: Int32Array;
}

/** Shapes as TensorFlow's BatchMatMulV2 defines them: leading dims broadcast, the last two multiply. */
function plan(tf: Tf, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Plan {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2)
    throw new Error(`BatchMatMul needs rank ≥ 2 operands, got shapes [${a.shape.join(",")}] and [${b.shape.join(",")}]`);
  const dim = (shape: number[], i: number): number => shape[i] ?? 0;
  const m = transposeA ? dim(a.shape, ra - 1) : dim(a.shape, ra - 2);
  const kA = transposeA ? dim(a.shape, ra - 2) : dim(a.shape, ra - 1);
  const kB = transposeB ? dim(b.shape, rb - 1) : dim(b.shape, rb - 2);
  const n = transposeB ? dim(b.shape, rb - 2) : dim(b.shape, rb - 1);
  if (kA !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${a.shape.join(",")} and ${b.shape.join(",")} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const count = outBatch.reduce((p, d) => p * d, 1);
  const aIndex = new Int32Array(count);
  const bIndex = new Int32Array(count);
  // Unravel each output batch index; a dimension of size 1 (or a missing one) repeats its matrix.
  const index = (batch: number[], coords: number[]): number => {
    let flat = 0;
    const offset = coords.length - batch.length;
    batch.forEach((d, i) => {
      flat = flat * d + (d === 1 ? 0 : (coords[i + offset] ?? 0));
    });
    return flat;
  };
  const coords = new Array<number>(outBatch.length).fill(0);
  for (let o = 0; o < count; o++) {
    aIndex[o] = index(aBatch, coords);
    bIndex[o] = index(bBatch, coords);
    for (let d = outBatch.length - 1; d >= 0; d--) {
      coords[d] = (coords[d] ?? 0) + 1;
      if ((coords[d] ?? 0) < (outBatch[d] ?? 1)) break;
      coords[d] = 0;
    }
  }
  return { m, n, k: kA, outShape: [...outBatch, m, n], aIndex, bIndex };
}

/**
 * C = op(A)·op(B) per batch matrix, straight into a new wasm tensor. `bias` (length n) is
 * written into C first and sgemm adds the product to it (beta = 1), which saves a pass.
 */
export function multiplyOnHeap(
  tf: Tf,
  blas: NativeBlas,
  backend: WasmHeapBackend,
  a: TensorInfo,
  b: TensorInfo,
  attrs: NamedAttrMap,
  bias?: TensorInfo,
): { out: TensorInfo; c: Float32Array } {
  const transposeA = attrs.transposeA === true;
  const transposeB = attrs.transposeB === true;
  const { m, n, k, outShape, aIndex, bIndex } = plan(tf, a, b, transposeA, transposeB);
  const out = backend.makeOutput(outShape, "float32");
  // Views only now: makeOutput may have grown (and so detached) the heap.
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  const c = backend.typedArrayFromHeap(out) as Float32Array;
  const biasView = bias ? (backend.typedArrayFromHeap(bias) as Float32Array) : undefined;
  const lda = a.shape[a.shape.length - 1] ?? 1;
  const ldb = b.shape[b.shape.length - 1] ?? 1;
  const aSize = m * k;
  const bSize = k * n;
  const cSize = m * n;
  const rows = c.length / Math.max(n, 1);
  if (biasView) for (let r = 0; r < rows; r++) c.set(biasView, r * n);
  else if (k === 0) c.fill(0);
  if (k === 0 || cSize === 0) return { out, c };
  const beta = biasView ? 1 : 0;
  if (aIndex.length === 1) {
    blas.sgemm(transposeA, transposeB, m, n, k, 1, av, Math.max(lda, 1), bv, Math.max(ldb, 1), beta, c, n);
    return { out, c };
  }
  for (let o = 0; o < aIndex.length; o++) {
    const ao = (aIndex[o] ?? 0) * aSize;
    const bo = (bIndex[o] ?? 0) * bSize;
    blas.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      1,
      av.subarray(ao, ao + aSize),
      Math.max(lda, 1),
      bv.subarray(bo, bo + bSize),
      Math.max(ldb, 1),
      beta,
      c.subarray(o * cSize, (o + 1) * cSize),
      n,
    );
  }
  return { out, c };
}

function blasBatchMatMul(tf: Tf, blas: NativeBlas, replaced: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const backend = args.backend;
    if (!a || !b || a.dtype !== "float32" || b.dtype !== "float32" || !isWasmHeapBackend(backend)) return replaced.kernelFunc(args);
    return multiplyOnHeap(tf, blas, backend, a, b, args.attrs ?? {}).out;
  };
}

function blasFusedMatMul(tf: Tf, blas: NativeBlas, replaced: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs ?? {};
    const backend = args.backend;
    const activation = typeof attrs.activation === "string" ? attrs.activation : "linear";
    const apply = Object.hasOwn(ACTIVATIONS, activation) ? ACTIVATIONS[activation] : undefined;
    // What we do not handle (prelu, a broadcast bias, other dtypes) goes to the kernel we replaced.
    const simple = a && b && a.dtype === "float32" && b.dtype === "float32" && !preluActivationWeights && apply !== undefined;
    const n = b ? (attrs.transposeB === true ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1]) : undefined;
    const biasOk = !bias || (bias.dtype === "float32" && bias.shape.length === 1 && bias.shape[0] === n);
    if (!simple || !biasOk || !isWasmHeapBackend(backend)) return replaced.kernelFunc(args);
    const { out, c } = multiplyOnHeap(tf, blas, backend, a, b, attrs, bias);
    // relu, the usual hidden activation, in the addon: the JS loop below cost ~8 ns per output,
    // ~0.1 s per MNIST validation pass of a 512-unit layer.
    if (activation === "relu") blas.relu(c);
    else if (apply) {
      const alpha = typeof attrs.leakyreluAlpha === "number" ? attrs.leakyreluAlpha : 0.2;
      for (let i = 0; i < c.length; i++) c[i] = apply(c[i] ?? 0, alpha);
    }
    return out;
  };
}

type Factory = (tf: Tf, blas: NativeBlas, replaced: KernelConfig) => KernelFunc;

/** Every kernel the native path takes over, by TF.js kernel name. */
const KERNELS: Record<string, Factory> = {
  BatchMatMul: blasBatchMatMul,
  _FusedMatMul: blasFusedMatMul,
  ...CONV_KERNELS,
  ...REDUCE_KERNELS,
};

/**
 * Registers the BLAS kernels over the current wasm ones (wasm's own, or our overrides from
 * wasm-kernels.ts), which stay as the fallback for inputs the BLAS kernels do not handle.
 * Idempotent; returns the kernels it installed.
 */
export function registerBlasKernels(tf: Tf, blas: NativeBlas): string[] {
  const installed: string[] = [];
  for (const [name, factory] of Object.entries(KERNELS)) {
    const current = tf.getKernel(name, "wasm") as (KernelConfig & Partial<BlasKernelConfig>) | undefined;
    if (!current || current.blas) continue;
    const config: BlasKernelConfig = {
      kernelName: name,
      backendName: "wasm",
      kernelFunc: factory(tf, blas, current),
      stepwise: true,
      blas: blas.kind,
      native: blas,
      replaced: current,
    };
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(config);
    installed.push(name);
  }
  return installed;
}

/** Puts the kernels {@link registerBlasKernels} replaced back (tests compare both; `STEPWISE_BLAS=off` never registers). */
export function unregisterBlasKernels(tf: Tf): void {
  for (const name of Object.keys(KERNELS)) {
    const current = tf.getKernel(name, "wasm") as (KernelConfig & Partial<BlasKernelConfig>) | undefined;
    if (!current?.blas || !current.replaced) continue;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(current.replaced);
  }
}

/** "openblas" or "blas" when the BLAS kernels are registered on wasm, else undefined. */
export function blasKernelsKind(tf: Tf): NativeBlas["kind"] | undefined {
  return activeBlas(tf)?.kind;
}

/** The native library the registered BLAS kernels run on, if they are registered. */
export function activeBlas(tf: Tf): NativeBlas | undefined {
  return (tf.getKernel("_FusedMatMul", "wasm") as (KernelConfig & Partial<BlasKernelConfig>) | undefined)?.native;
}
