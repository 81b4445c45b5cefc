import { createRequire } from "node:module";
import * as path from "node:path";
import type { Tf } from "./tf";
import { registerWasmKernels } from "./wasm-kernels";

export type { Tf } from "./tf";
export { registerWasmKernels, WASM_FALLBACK_KERNELS } from "./wasm-kernels";

export type BackendChoice = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  tf: Tf;
  /** The backend actually in use, as `tf.getBackend()` names it. */
  backend: string;
  tfjsVersion: string;
  /** Why earlier preferences were skipped, e.g. "tensorflow: native addon not found". */
  skipped: string[];
}

export interface InitBackendOptions {
  /** Order to try; the caller may derive it from `STEPWISE_BACKEND` (core never reads process.env). */
  prefer?: BackendChoice[];
}

const DEFAULT_ORDER: BackendChoice[] = ["tensorflow", "wasm", "cpu"];

let chosen: Promise<BackendInfo> | undefined;

/**
 * Picks the fastest backend that loads, once per process: a second call returns the first result
 * whatever it asks for, because tensors and registered kernels belong to the process-wide engine.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  chosen ??= choose(options.prefer ?? DEFAULT_ORDER);
  return chosen;
}

async function choose(order: BackendChoice[]): Promise<BackendInfo> {
  const tf = await import("@tensorflow/tfjs");
  const skipped: string[] = [];
  for (const name of order) {
    try {
      if (await tryBackend(tf, name)) {
        return { tf, backend: tf.getBackend(), tfjsVersion: tf.version.tfjs, skipped };
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
    await import("@tensorflow/tfjs-node");
    return tf.setBackend("tensorflow");
  }
  if (name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (typeof process !== "undefined" && process.versions.node) {
      // In Node the Emscripten loader reads the .wasm files from disk; a directory path
      // with a trailing slash works, a file:// URL does not.
      const pkg = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json");
      wasm.setWasmPaths(path.join(path.dirname(pkg), "dist") + path.sep);
    }
    const ok = await tf.setBackend("wasm");
    if (ok) registerWasmKernels(tf);
    return ok;
  }
  return tf.setBackend("cpu");
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]?.slice(0, 200) ?? "";
}
