import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { runPython, runTsWorker } from "../lib/child";
import { MODEL_NAMES, MODELS, trainFlopsPerExample, type ModelName } from "../lib/models";
import { fmt, fmtSummary, ratio, summarize } from "../lib/stats";
import type { BenchContext, Section, Table } from "../lib/types";
import { pythonNote, torchAvailable } from "./python";

interface RunResult {
  examples: number;
  trainSeconds: number;
  examplesPerSecond: number;
  loss?: number;
  accuracy?: number;
  peakRssMb: number;
  torch?: string;
}

interface Contender {
  id: string;
  label: string;
  model: ModelName;
  examples: number;
  run: () => Promise<RunResult>;
}

function contenders(ctx: BenchContext, dataDir: string, withTorch: boolean, withTensorflow: boolean): Contender[] {
  const cacheDir = join(ctx.repoDir, "data", "cache");
  const list: Contender[] = [];
  for (const name of benchModels(ctx)) {
    const spec = MODELS[name];
    const n = ctx.quick ? spec.quickExamples : spec.examples;
    const cpuN = ctx.quick ? 1_000 : spec.cpuExamples;
    const tfRun =
      (backend: string, mode: string, examples: number, blas: "auto" | "off" = "off") =>
      () =>
        runTsWorker<RunResult>(ctx.repoDir, "train", { backend, blas, model: name, mode, examples, cacheDir }, 900_000);
    list.push({ id: `${name}.wasm`, label: "TF.js wasm, our harness", model: name, examples: n, run: tfRun("wasm", "harness", n) });
    // What the grader runs where OpenBLAS and the native-blas addon load: wasm with matmuls on sgemm.
    list.push({
      id: `${name}.openblas`,
      label: "TF.js wasm + OpenBLAS kernels, our harness",
      model: name,
      examples: n,
      run: tfRun("wasm", "harness", n, "auto"),
    });
    if (name === "mnist")
      list.push({ id: `${name}.fit`, label: "TF.js wasm, plain model.fit", model: name, examples: n, run: tfRun("wasm", "fit", n) });
    if (withTensorflow)
      list.push({
        id: `${name}.tensorflow`,
        label: "TF.js tfjs-node, our harness",
        model: name,
        examples: n,
        run: tfRun("tensorflow", "harness", n),
      });
    list.push({
      id: `${name}.cpu`,
      label: `TF.js cpu, our harness (first ${cpuN.toLocaleString("en-US")} examples only)`,
      model: name,
      examples: cpuN,
      run: tfRun("cpu", "harness", cpuN),
    });
    if (withTorch) {
      list.push({
        id: `${name}.torch`,
        label: "PyTorch, 1 thread",
        model: name,
        examples: n,
        run: () => runPython<RunResult>(ctx.repoDir, "train.py", [name, dataDir, String(n)], 900_000),
      });
    }
  }
  return list;
}

function benchModels(ctx: BenchContext): readonly ModelName[] {
  return MODEL_NAMES.filter((name) => !ctx.models || ctx.models.includes(name));
}

/** Does tfjs-node load here? Offline installs have no libtensorflow. */
async function tensorflowLoads(ctx: BenchContext): Promise<string | undefined> {
  try {
    await runTsWorker(ctx.repoDir, "matmul", { backend: "tensorflow", sizes: [64], repeats: 1 }, 120_000);
    return undefined;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return /native addon|tfjs_binding/.test(text)
      ? "the native addon (libtensorflow) is not installed: its download fails offline"
      : text.slice(-200);
  }
}

/** Training throughput per contender, runs interleaved (A1 B1 C1 … A2 B2 …) so drift hits all alike. */
export const training: Section = {
  name: "training",
  title: "Training throughput",
  async run(ctx) {
    const notes: string[] = [];
    const python = torchAvailable(ctx.repoDir);
    const dataDir = join(ctx.tmpDir, "arrays");
    if (python.torch) {
      mkdirSync(dataDir, { recursive: true });
      await runTsWorker(ctx.repoDir, "export-data", { outDir: dataDir, cacheDir: join(ctx.repoDir, "data", "cache") }, 300_000);
    } else notes.push(pythonNote(python));
    const tfSkip = await tensorflowLoads(ctx);
    if (tfSkip) notes.push(`tfjs-node (tensorflow backend) skipped: ${tfSkip}.`);
    const list = contenders(ctx, dataDir, python.torch, tfSkip === undefined);
    const results = new Map<string, RunResult[]>();
    const errors = new Map<string, string>();
    for (let run = 1; run <= ctx.runs; run++) {
      for (const c of list) {
        if (errors.has(c.id)) continue;
        ctx.log(`training run ${run}/${ctx.runs}: ${c.model} ${c.label}`);
        try {
          results.set(c.id, [...(results.get(c.id) ?? []), await c.run()]);
        } catch (error) {
          errors.set(c.id, error instanceof Error ? error.message.slice(0, 300) : String(error));
        }
      }
    }

    const peak = ctx.metrics.get("peak.gflops");
    const tables: Table[] = [];
    for (const name of benchModels(ctx)) {
      const spec = MODELS[name];
      const flops = trainFlopsPerExample(spec);
      const torchRuns = results.get(`${name}.torch`);
      const torchMedian = torchRuns ? summarize(torchRuns.map((r) => r.examplesPerSecond)).median : undefined;
      const harnessRuns = results.get(`${name}.wasm`);
      const harnessMedian = harnessRuns ? summarize(harnessRuns.map((r) => r.examplesPerSecond)).median : undefined;
      const rows = list
        .filter((c) => c.model === name)
        .map((c) => {
          const runs = results.get(c.id);
          if (!runs) return [c.label, c.examples.toLocaleString("en-US"), `error: ${errors.get(c.id) ?? "no result"}`, "", "", "", "", ""];
          const s = summarize(runs.map((r) => r.examplesPerSecond));
          const gflops = (s.median * flops) / 1e9;
          ctx.metrics.set(`train.${c.id}.exps`, s.median);
          const last = runs.at(-1);
          return [
            c.label,
            `${c.examples.toLocaleString("en-US")} × ${spec.epochs} ep`,
            fmtSummary(s),
            fmt(gflops),
            peak ? ratio(gflops, peak) : "–",
            ratio(s.median, torchMedian),
            ratio(s.median, harnessMedian),
            `${fmt(last?.loss ?? Number.NaN)} / ${fmt(last?.accuracy ?? Number.NaN)} · ${fmt(Math.max(...runs.map((r) => r.peakRssMb)))} MB`,
          ];
        });
      tables.push({
        title: `${spec.title} — training examples/second`,
        header: [
          "contender",
          "examples",
          "examples/s median (range)",
          "effective GFLOPS",
          "vs machine peak",
          "vs PyTorch 1 thread",
          "vs wasm harness",
          "last loss / acc · peak RSS",
        ],
        rows,
      });
      notes.push(
        `${name}: effective GFLOPS = examples/s × ${flops.toLocaleString("en-US")} FLOPs/example (3 × 2 × ${(flops / 6).toLocaleString("en-US")} forward multiply-adds: forward + 2 backward products).`,
      );
    }
    notes.push(
      "examples/s counts examples × epochs over the sum of epoch times (model build and data loading excluded); each run is a fresh process.",
    );
    return { tables, notes };
  },
};
