/**
 * Test support for the native kernels (not exported from index.ts): swapping the native kernels
 * for wasm's own around a call, and training one model on both paths.
 */
import type { NativeBlas } from "@stepwise/native-blas";
import type { TrainingReport } from "../contracts/training";
import { train, type TrainOptions } from "../training";
import { registerBlasKernels, unregisterBlasKernels } from "./blas-kernels";
import type { Tf } from "./tf";

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
