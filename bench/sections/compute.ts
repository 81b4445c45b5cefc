import { runPython, runTsWorker } from "../lib/child";
import { fmtSummary, ratio, summarize } from "../lib/stats";
import type { Section, Table } from "../lib/types";
import { pythonNote, torchAvailable } from "./python";

interface PyMatmul {
  numpy: string;
  blas: string;
  torch: string | null;
  gflops: Record<string, number>;
}
interface TfMatmul {
  backend: string;
  gflops: Record<string, number>;
}

/** Peak single-thread float32 matmul: numpy/OpenBLAS and torch (1 thread) vs TF.js wasm. */
export const compute: Section = {
  name: "compute",
  title: "Peak float32 matmul, one thread",
  async run(ctx) {
    const sizes = ctx.quick ? [512] : [512, 1024, 2048];
    const repeats = ctx.quick ? 2 : 4;
    const samples = new Map<string, number[]>();
    const add = (key: string, value: number) => samples.set(key, [...(samples.get(key) ?? []), value]);
    const notes: string[] = [];
    const python = torchAvailable(ctx.repoDir);
    if (!python.numpy) notes.push(pythonNote(python));
    let blas = "";
    for (let run = 0; run < ctx.runs; run++) {
      if (python.numpy) {
        const py = await runPython<PyMatmul>(ctx.repoDir, "matmul.py", [String(repeats), ...sizes.map(String)], 300_000);
        blas = py.blas;
        for (const [key, value] of Object.entries(py.gflops)) add(key, value);
      }
      const wasm = await runTsWorker<TfMatmul>(ctx.repoDir, "matmul", { backend: "wasm", blas: "off", sizes, repeats }, 300_000);
      for (const [n, value] of Object.entries(wasm.gflops)) add(`tfjs-wasm.${n}`, value);
      // The same tf.matMul through our BLAS kernels (packages/native-blas), when OpenBLAS loads here.
      const native = await runTsWorker<TfMatmul>(ctx.repoDir, "matmul", { backend: "wasm", blas: "auto", sizes, repeats }, 300_000).catch(
        (error: unknown) => {
          if (run === 0) notes.push(`tfjs-wasm+openblas skipped: ${error instanceof Error ? error.message.slice(-200) : String(error)}`);
          return undefined;
        },
      );
      if (native) for (const [n, value] of Object.entries(native.gflops)) add(`tfjs-wasm+openblas.${n}`, value);
    }
    const cpu = await runTsWorker<TfMatmul>(ctx.repoDir, "matmul", { backend: "cpu", sizes: [256], repeats: 2 }, 300_000).catch(
      () => undefined,
    );
    if (cpu) for (const [n, value] of Object.entries(cpu.gflops)) add(`tfjs-cpu.${n}`, value);

    // The machine's peak is the best any library reached at any size.
    const best = (prefix: string) => Math.max(0, ...[...samples].filter(([k]) => k.startsWith(prefix)).map(([, v]) => summarize(v).median));
    const peak = Math.max(best("numpy."), best("torch."));
    if (peak > 0) ctx.metrics.set("peak.gflops", peak);
    ctx.metrics.set("wasm.matmul.gflops", best("tfjs-wasm."));
    if (samples.has(`tfjs-wasm+openblas.${sizes[0]}`)) ctx.metrics.set("openblas.matmul.gflops", best("tfjs-wasm+openblas."));
    const table: Table = {
      title: "Matmul GFLOPS (2·n³ FLOPs per n×n float32 product, best of repeats per run; median (min–max) over runs)",
      header: ["library", "n", "GFLOPS", "vs machine peak"],
      rows: [...samples].map(([key, values]) => {
        const [lib = "", n = ""] = key.split(/\.(?=\d+$)/);
        const s = summarize(values);
        return [lib, n, fmtSummary(s), ratio(s.median, peak > 0 ? peak : undefined)];
      }),
    };
    if (blas) notes.push(`numpy BLAS: ${blas} (OPENBLAS_NUM_THREADS=1); torch.set_num_threads(1). tfjs-cpu measured once at n=256 only.`);
    notes.push("TF.js wasm in Node loads the single-threaded SIMD build (tfjs-backend-wasm.wasm), so one thread on both sides.");
    return { tables: [table], notes };
  },
};
