import type { DataType, TensorInfo } from "@tensorflow/tfjs-core";

/** The slice of tfjs-backend-wasm's BackendWasm the native kernels use (public methods of the class). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  return typeof b?.makeOutput === "function" && typeof b.typedArrayFromHeap === "function";
}

/** Activations the fused kernels apply after the native product; prelu (per-channel weights) goes to the wasm kernel instead. */
export const ACTIVATIONS: Record<string, ((x: number, alpha: number) => number) | null> = {
  linear: null,
  relu: (x) => (x > 0 ? x : 0),
  relu6: (x) => (x > 0 ? (x < 6 ? x : 6) : 0),
  leakyrelu: (x, alpha) => (x < 0 ? alpha * x : x),
  elu: (x) => (x < 0 ? Math.expm1(x) : x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};
