/**
 * TF.js `matMul` GFLOPS on one backend (2·n³ per n×n product, best of the repeats), the ceiling the
 * training loop could reach on that backend. Input (argv[2], JSON): { backend, blas?, sizes, repeats };
 * `blas` "auto" runs wasm's matMul on OpenBLAS (native-blas), "off" (the default) on wasm's own kernel.
 */
import { initBackend, type BackendChoice } from "@stepwise/core/backend";
import { emitResult } from "../lib/child";

const input = JSON.parse(process.argv[2] ?? "{}") as { backend: BackendChoice; blas?: "auto" | "off"; sizes: number[]; repeats: number };
const { sizes, repeats } = input;
const want = input.backend === "wasm" && input.blas === "auto" ? "wasm+openblas" : input.backend;
const { tf, backend, skipped, blas } = await initBackend({ prefer: [input.backend], blas: input.blas ?? "off" });
if (backend !== want)
  throw new Error(
    `expected backend ${want}, got ${backend} (${[...skipped, ...(blas && !blas.loaded ? [`openblas: ${blas.reason}`] : [])].join("; ")})`,
  );

const gflops: Record<string, number> = {};
for (const n of sizes) {
  const a = tf.randomUniform([n, n], 0, 1, "float32", 1);
  const b = tf.randomUniform([n, n], 0, 1, "float32", 2);
  // dataSync forces the kernel to finish; the read-back of n² floats is small next to 2n³ FLOPs.
  const once = () => {
    const started = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    return (performance.now() - started) / 1000;
  };
  once();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) best = Math.min(best, once());
  gflops[String(n)] = (2 * n ** 3) / best / 1e9;
  a.dispose();
  b.dispose();
}
emitResult({ backend, gflops });
