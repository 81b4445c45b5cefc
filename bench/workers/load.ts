/**
 * Times one dataset load in a fresh process. Input (argv[2], JSON): { dataset, cacheDir }.
 * MNIST: train + test IDX files (it has no cache: the files already are flat arrays).
 * IMDB: `loadImdb` (train + test, tokenized, multi-hot), from the binary cache when it is warm.
 */
import { loadImdb, loadMnistSet } from "@stepwise/core/datasets/node";
import { emitResult, peakRssMb } from "../lib/child";

const { dataset, cacheDir } = JSON.parse(process.argv[2] ?? "{}") as { dataset: "mnist" | "imdb"; cacheDir: string };
const started = performance.now();
let examples: number;
if (dataset === "mnist") {
  examples = loadMnistSet("train").n + loadMnistSet("test").n;
} else {
  const data = loadImdb({ cacheDir });
  examples = data.train.n + data.test.n;
}
emitResult({ seconds: (performance.now() - started) / 1000, examples, peakRssMb: peakRssMb() });
