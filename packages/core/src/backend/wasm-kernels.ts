import type {
  BackendValues,
  DataType,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedTensorInfoMap,
  TensorInfo,
} from "@tensorflow/tfjs-core";
import type { Tf } from "./tf";
import { conv2dBackpropFilterViaConv } from "./wasm-conv";
import { maxPoolGradOnHeap } from "./wasm-pool";
import { unsortedSegmentSumScatter } from "./wasm-segment";

/**
 * Gradient kernels the wasm backend lacks (tfjs 4.22). Found by diffing `getKernelsForBackend("cpu")`
 * against "wasm" and training every whitelisted layer on wasm: Conv1D/Conv2D need
 * Conv2DBackpropFilter, Embedding needs UnsortedSegmentSum, depthwise convs need both depthwise
 * backprops. Without them `trainOnBatch` throws "Kernel … not registered for backend wasm".
 * The generic cpu fallback is correct but can be very slow, so the two a whitelisted layer hits
 * get a fast replacement: Conv2DBackpropFilter (wasm-conv.ts) and UnsortedSegmentSum
 * (wasm-segment.ts). Depthwise backprops and Einsum keep the cpu fallback (no layer uses them).
 * wasm's own MaxPoolGrad is replaced too: it drops gradient (wasm-pool.ts).
 */
export const WASM_FALLBACK_KERNELS = [
  "Conv2DBackpropFilter",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
  "UnsortedSegmentSum",
  "Einsum",
] as const;

/** The slice of a backend the fallback uses; both cpu and wasm implement it. */
interface DataBackend {
  readSync(dataId: object): BackendValues;
  write(values: BackendValues, shape: number[], dtype: DataType): object;
  disposeData(dataId: object, force?: boolean): boolean;
}

function asDataBackend(backend: unknown): DataBackend {
  return backend as DataBackend;
}

/**
 * Runs the cpu backend's kernel on copies of the inputs and writes the result back to wasm.
 * The copies cost a few ms per step on small models; the alternative is not training at all.
 */
function cpuFallback(tf: Tf, kernelName: string): KernelConfig | undefined {
  const cpuKernel = tf.getKernel(kernelName, "cpu");
  if (!cpuKernel) return undefined;
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const cpuBackend: KernelBackend | undefined = tf.findBackend("cpu");
    if (!cpuBackend) throw new Error("the cpu backend is not registered; the wasm fallback kernels need it");
    const cpu = asDataBackend(cpuBackend);
    const wasm = asDataBackend(backend);
    const cpuInputs: NamedTensorInfoMap = {};
    const written: object[] = [];
    for (const [key, info] of Object.entries(inputs)) {
      if (!info) continue;
      const dataId = cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype);
      written.push(dataId);
      cpuInputs[key] = { dataId, shape: info.shape, dtype: info.dtype };
    }
    try {
      const result = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpuBackend, attrs: attrs });
      const outs = Array.isArray(result) ? result : [result];
      const moved = outs.map((out: TensorInfo): TensorInfo => {
        const dataId = wasm.write(cpu.readSync(out.dataId), out.shape, out.dtype);
        cpu.disposeData(out.dataId, true);
        return { dataId, shape: out.shape, dtype: out.dtype };
      });
      return Array.isArray(result) ? moved : (moved[0] as TensorInfo);
    } finally {
      for (const dataId of written) cpu.disposeData(dataId, true);
    }
  };
  return { kernelName, backendName: "wasm", kernelFunc };
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}

/**
 * wasm's XNNPACK matmul is fast only on untransposed operands. Measured on this machine
 * (512×512 float32, 2 cores, tfjs 4.22, 20 runs): plain 12.9 ms, transposeA 263 ms (20×),
 * transposeB 121 ms (9×); with this override both take ~14 ms (plain + a ~1 ms transpose).
 * Dense backprop computes dW = xᵀ·dy and dx = dy·Wᵀ, so this override is what makes
 * Dense training on wasm usable (one MNIST epoch of `train`: ~1,200 examples/s without it, ~7,800 with it).
 */
function transposeFirst(tf: Tf, kernelName: "BatchMatMul" | "_FusedMatMul"): KernelConfig | undefined {
  const original = tf.getKernel(kernelName, "wasm");
  const transpose = tf.getKernel("Transpose", "wasm");
  if (!original || !transpose) return undefined;
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const transposeA = attrs?.transposeA === true;
    const transposeB = attrs?.transposeB === true;
    if (!transposeA && !transposeB) return original.kernelFunc(args);
    const temps: TensorInfo[] = [];
    const materialize = (x: TensorInfo): TensorInfo => {
      const out = transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm: swapLastTwo(x.shape.length) } }) as TensorInfo;
      temps.push(out);
      return out;
    };
    const { a, b } = inputs;
    if (!a || !b) return original.kernelFunc(args);
    try {
      return original.kernelFunc({
        inputs: { ...inputs, a: transposeA ? materialize(a) : a, b: transposeB ? materialize(b) : b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      const wasm = asDataBackend(backend);
      for (const t of temps) wasm.disposeData(t.dataId);
    }
  };
  return { kernelName, backendName: "wasm", kernelFunc };
}

/**
 * Identity without a copy, as the cpu backend does it: the output shares the input's buffer and
 * the backend counts the references (its Reshape works the same way).
 *
 * Why: TF.js clones every tensor a kernel saves for the backward pass (`saveTensorsForBackwardMode`),
 * and wasm's Identity copies the bytes: 39 copies per batch of a Conv2D–MaxPool–Dense MNIST model,
 * ~6% of its training time. Tensors are immutable in TF.js; the in-place writers here, the native
 * RMSProp and Adam updates (optimizers.ts), already decline a buffer whose reference count is above one, so a
 * shared buffer is never changed under a clone.
 *
 * Cast to the dtype a tensor already has is the same no-op (the cpu backend shares there too), and
 * wasm copied it as well: Mul's gradient casts both operands to float32, so an L2 penalty's Square
 * copied the whole kernel every training step (401k floats for a 784×512 Dense layer).
 */
function sharingBuffer(kernelName: "Identity" | "Cast", replaced: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    const shared = args.backend as { incRef?: (dataId: object) => void };
    const noop = kernelName === "Identity" || args.attrs?.dtype === x?.dtype;
    if (!x || !noop || x.dtype === "string" || typeof shared.incRef !== "function") return replaced.kernelFunc(args);
    shared.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName, backendName: "wasm", kernelFunc };
}

/** Installs the fallbacks and the matmul override on the wasm backend. Idempotent. */
export function registerWasmKernels(tf: Tf): string[] {
  const installed: string[] = [];
  const replace = (config: KernelConfig | undefined): void => {
    if (!config) return;
    if (tf.getKernel(config.kernelName, "wasm")) tf.unregisterKernel(config.kernelName, "wasm");
    tf.registerKernel(config);
    installed.push(config.kernelName);
  };
  for (const name of WASM_FALLBACK_KERNELS) {
    if (!tf.getKernel(name, "wasm")) replace(cpuFallback(tf, name));
  }
  // Faster replacements registered over the generic fallbacks (NCHW conv still uses the cpu one).
  const segmentSum = tf.getKernel("UnsortedSegmentSum", "wasm") as (KernelConfig & { stepwise?: boolean }) | undefined;
  if (!segmentSum?.stepwise) replace(Object.assign(unsortedSegmentSumScatter(tf), { stepwise: true }));
  const convFilter = tf.getKernel("Conv2DBackpropFilter", "wasm") as (KernelConfig & { stepwise?: boolean }) | undefined;
  if (!convFilter?.stepwise) {
    const config = conv2dBackpropFilterViaConv(tf);
    if (config) replace(Object.assign(config, { stepwise: true }));
  }
  const poolGrad = tf.getKernel("MaxPoolGrad", "wasm") as (KernelConfig & { stepwise?: boolean }) | undefined;
  if (!poolGrad?.stepwise) {
    const config = maxPoolGradOnHeap(tf);
    if (config) replace(Object.assign(config, { stepwise: true }));
  }
  for (const name of ["Identity", "Cast"] as const) {
    const current = tf.getKernel(name, "wasm") as (KernelConfig & { stepwise?: boolean }) | undefined;
    if (current && !current.stepwise) replace(Object.assign(sharingBuffer(name, current), { stepwise: true }));
  }
  for (const name of ["BatchMatMul", "_FusedMatMul"] as const) {
    const current = tf.getKernel(name, "wasm");
    if (current && !(current as { stepwise?: boolean }).stepwise) {
      const config = transposeFirst(tf, name);
      if (config) replace(Object.assign(config, { stepwise: true }));
    }
  }
  return installed;
}
