import { blasKernelsKind } from "./blas-kernels";
import type { Tf } from "./tf";

/**
 * The name reports and verdicts record for the backend in use: `tf.getBackend()`'s, plus
 * "+openblas" (or "+blas") when the BLAS kernels carry wasm's matrix products, so a number
 * measured on one path is never read as the other's. Kept apart from index.ts, which loads
 * Node-only modules, so the training harness can import it anywhere.
 */
export function backendLabel(tf: Tf): string {
  const name = tf.getBackend();
  const kind = name === "wasm" ? blasKernelsKind(tf) : undefined;
  return kind ? `${name}+${kind}` : name;
}
