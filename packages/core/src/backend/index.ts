import { createRequire } from "node:module";
import * as path from "node:path";
import type { BlasInfo } from "@stepwise/native-blas";
import type * as WasmBackend from "@tensorflow/tfjs-backend-wasm";
import { registerBlasKernels } from "./blas-kernels";
import { registerGradients } from "./gradients";
import { backendLabel } from "./label";
import type { Tf } from "./tf";
import { registerWasmKernels } from "./wasm-kernels";

export type { Tf } from "./tf";
export { registerWasmKernels, WASM_FALLBACK_KERNELS } from "./wasm-kernels";
export { activeBlas, blasKernelsKind, registerBlasKernels, unregisterBlasKernels } from "./blas-kernels";
export { backendLabel } from "./label";
export { adam, rmsprop } from "./optimizers";
export type { BlasInfo } from "@stepwise/native-blas";

export type BackendChoice = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  tf: Tf;
  /**
   * The backend actually in use, as every report and verdict records it: `tf.getBackend()`'s name,
   * with `+openblas` (or `+blas`) when matrix products run on the machine's BLAS (see {@link backendLabel}).
   */
  backend: string;
  tfjsVersion: string;
  /** Why earlier preferences were skipped, e.g. "tensorflow: native addon not found". */
  skipped: string[];
  /** On wasm in Node: the BLAS the matmul kernels run on, or why they stay on wasm. */
  blas?: { loaded: true; info: BlasInfo } | { loaded: false; reason: string };
}

export interface InitBackendOptions {
  /** Order to try; the caller may derive it from `STEPWISE_BACKEND` (core never reads process.env). */
  prefer?: BackendChoice[];
  /**
   * `STEPWISE_BLAS` as the caller parsed it: "off" keeps matrix products on wasm, "auto" (or an
   * absolute library path) runs them on the machine's BLAS when the native-blas addon loads.
   * Unset: the native-blas loader reads `STEPWISE_BLAS` from the environment itself.
   */
  blas?: string;
}

const DEFAULT_ORDER: BackendChoice[] = ["tensorflow", "wasm", "cpu"];

let chosen: Promise<BackendInfo> | undefined;

/**
 * Picks the fastest backend that loads, once per process: a second call returns the first result
 * whatever it asks for, because tensors and registered kernels belong to the process-wide engine.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  chosen ??= choose(options.prefer ?? DEFAULT_ORDER, options.blas);
  return chosen;
}

/**
 * TF.js ships CommonJS for Node. `require` loads it in ~0.2 s; `import()` first runs Node's scan
 * for CommonJS exports over every file of it, ~0.8 s more (measured on 2 cores), paid by every
 * training child and every `stepwise grade` at start. The module instance is the same either way.
 */
const requireHere = createRequire(import.meta.url);

async function choose(order: BackendChoice[], blasSetting: string | undefined): Promise<BackendInfo> {
  const tf = requireHere("@tensorflow/tfjs") as Tf;
  const skipped: string[] = [];
  for (const name of order) {
    try {
      if (await tryBackend(tf, name)) {
        const blas = name === "wasm" ? await useBlas(tf, blasSetting) : undefined;
        return { tf, backend: backendLabel(tf), tfjsVersion: tf.version.tfjs, skipped, ...(blas ? { blas } : {}) };
      }
      skipped.push(`${name}: setBackend returned false`);
    } catch (error) {
      skipped.push(`${name}: ${firstLine(error)}`);
    }
  }
  throw new Error(`No TF.js backend could be initialised; tried ${order.join(", ")} (${skipped.join("; ")})`);
}

async function tryBackend(tf: Tf, name: BackendChoice): Promise<boolean> {
  if (name === "tensorflow") {
    // Optional dependency: offline installs have no libtensorflow, and the import throws.
    requireHere("@tensorflow/tfjs-node");
    return tf.setBackend("tensorflow");
  }
  if (name === "wasm") {
    const wasm = requireHere("@tensorflow/tfjs-backend-wasm") as typeof WasmBackend;
    if (typeof process !== "undefined" && process.versions.node) {
      // In Node the Emscripten loader reads the .wasm files from disk; a directory path
      // with a trailing slash works, a file:// URL does not.
      const pkg = requireHere.resolve("@tensorflow/tfjs-backend-wasm/package.json");
      wasm.setWasmPaths(path.join(path.dirname(pkg), "dist") + path.sep);
    }
    const ok = await tf.setBackend("wasm");
    if (ok) {
      registerWasmKernels(tf);
      registerGradients(tf);
    }
    return ok;
  }
  return tf.setBackend("cpu");
}

/**
 * Moves wasm's matrix products onto the machine's BLAS when the native-blas addon and a library
 * load (measured: MNIST MLP training ×N, see bench/). Without them wasm keeps its own kernels.
 */
async function useBlas(tf: Tf, setting: string | undefined): Promise<BackendInfo["blas"]> {
  if (typeof process === "undefined" || !process.versions.node) return undefined;
  try {
    const { loadNativeBlas } = await import("@stepwise/native-blas");
    const load = loadNativeBlas(setting === undefined ? {} : { setting });
    if (!load.ok) return { loaded: false, reason: load.reason };
    registerBlasKernels(tf, load.blas);
    return { loaded: true, info: load.blas.info() };
  } catch (error) {
    return { loaded: false, reason: firstLine(error) };
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]?.slice(0, 200) ?? "";
}
