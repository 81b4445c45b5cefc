/**
 * Test support for the native kernels (not exported from index.ts): swapping the native kernels
 * for wasm's own around a call, and training one model on both paths.
 */
import type { LayersModel, Scalar, Tensor } from "@tensorflow/tfjs";
import { loadNativeBlas, type NativeBlas } from "@stepwise/native-blas";
import type { TrainingReport } from "../contracts/training";
import { train, type TrainOptions } from "../training";
import { registerBlasKernels, unregisterBlasKernels } from "./blas-kernels";
import { initBackend } from "./index";
import type { Tf } from "./tf";

/**
 * The backend and the addon as a native-kernel test file uses them: `available` is false (and says
 * why once) when this process trains without the addon, and the file's suites skip.
 */
export async function nativeKernelsUnderTest(what: string) {
  const info = await initBackend();
  const load = loadNativeBlas();
  const available = info.blas?.loaded === true && load.ok;
  if (!available) console.warn(`${what} tests skipped: ${info.blas?.loaded === false ? info.blas.reason : `backend is ${info.backend}`}`);
  const blas = (): NativeBlas => {
    if (!load.ok) throw new Error(load.reason);
    return load.blas;
  };
  return { tf: info.tf, available, blas };
}

/**
 * The addon's kernels with `names` counting their calls, to register with `withKernels`: a test then
 * sees a silent fallback to what the native kernel replaced.
 */
export function countingCalls(blas: NativeBlas, names: readonly (keyof NativeBlas)[]): { kernels: NativeBlas; calls: () => number } {
  let calls = 0;
  const kernels: Record<string, unknown> = { ...blas };
  for (const name of names) {
    kernels[name] = (...args: unknown[]) => {
      calls++;
      return (blas[name] as (...args: unknown[]) => unknown).apply(blas, args);
    };
  }
  return { kernels: kernels as unknown as NativeBlas, calls: () => calls };
}

/** A float32 array's bit patterns: equal lists mean equal to the last bit, −0 and NaN payloads included. */
/** The outputs, the loss and every weight's gradient of one training-mode pass of `model` on `x`. */
export function trainingPass(tf: Tf, model: LayersModel, x: Tensor, loss: (out: Tensor) => Scalar): Float32Array[] {
  return tf.tidy(() => {
    let out: Tensor | undefined;
    const { grads, value } = tf.variableGrads(() => {
      out = model.apply(x, { training: true }) as Tensor;
      return loss(tf.keep(out));
    });
    const result = [
      out?.dataSync() as Float32Array,
      value.dataSync() as Float32Array,
      ...Object.values(grads).map((g) => g.dataSync() as Float32Array),
    ];
    out?.dispose();
    return result;
  });
}

export const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** max |a − b| / (1 + |b|) over two equally long arrays; Infinity when their lengths differ. */
export function maxRelDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] ?? Number.NaN)) / (1 + Math.abs(b[i] ?? 0))), 0);
}

/** Runs `f` with `kernels` registered (undefined: wasm's own), then puts the kernels of `blas` back. */
export async function withKernels<T>(tf: Tf, blas: NativeBlas, kernels: NativeBlas | undefined, f: () => T): Promise<Awaited<T>> {
  unregisterBlasKernels(tf);
  if (kernels) registerBlasKernels(tf, kernels);
  try {
    return await f();
  } finally {
    unregisterBlasKernels(tf);
    registerBlasKernels(tf, blas);
  }
}

export interface TrainedRun {
  report: TrainingReport;
  /** Every weight of the trained model, as numbers (the model itself is disposed). */
  weights: number[][];
}

async function trainAndDispose(tf: Tf, options: TrainOptions): Promise<TrainedRun> {
  const { report, model } = await train(tf, options);
  const weights = await Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
  model.dispose();
  return { report, weights };
}

/** Trains twice on the native kernels (`counting` the first time, if given) and once on wasm's own. */
export async function trainOnBothPaths(
  tf: Tf,
  blas: NativeBlas,
  options: () => TrainOptions,
  counting?: NativeBlas,
): Promise<{ first: TrainedRun; second: TrainedRun; plain: TrainedRun }> {
  const first = await withKernels(tf, blas, counting ?? blas, () => trainAndDispose(tf, options()));
  const second = await trainAndDispose(tf, options());
  const plain = await withKernels(tf, blas, undefined, () => trainAndDispose(tf, options()));
  return { first, second, plain };
}
