/**
 * One training run in a fresh process (the backend is chosen once per process): our harness
 * (`train`, what the grader runs) or plain `model.fit` as a reference line.
 * Input (argv[2], JSON): { backend, blas, model, mode: "harness" | "fit", examples, cacheDir };
 * `blas` "auto" puts wasm's matrix products on OpenBLAS (native-blas), "off" keeps them on wasm.
 */
import { initBackend, type BackendChoice } from "@stepwise/core/backend";
import { type ExampleSet } from "@stepwise/core/datasets";
import { loadImdbTrain, loadMnistSet } from "@stepwise/core/datasets/node";
import { parseModelSpec, withSeeds } from "@stepwise/core/model";
import { train } from "@stepwise/core/training";
import { emitResult, peakRssMb } from "../lib/child";
import { kerasLayers, MODELS, type ModelName } from "../lib/models";

interface Input {
  backend: BackendChoice;
  blas?: "auto" | "off";
  model: ModelName;
  mode: "harness" | "fit";
  examples: number;
  cacheDir: string;
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;
const spec = MODELS[input.model];
const { tf, backend, tfjsVersion, skipped, blas } = await initBackend({ prefer: [input.backend], blas: input.blas ?? "off" });
const expected = input.backend === "wasm" && input.blas === "auto" ? "wasm+openblas" : input.backend;
if (backend !== expected) {
  const why = [...skipped, ...(blas && !blas.loaded ? [`openblas: ${blas.reason}`] : [])];
  throw new Error(`expected backend ${expected}, got ${backend} (${why.join("; ")})`);
}

/** The first `n` examples of a set, so every contender trains on the same rows. */
function head(set: ExampleSet, n: number): ExampleSet {
  if (n >= set.n) return set;
  const labels = set.labels?.subarray(0, n);
  return {
    n,
    inputSize: set.inputSize,
    naturalShape: set.naturalShape,
    ...(labels ? { labels } : {}),
    gatherInputs: (i, out) => set.gatherInputs(i, out),
  };
}

const mnist = input.model === "mnist" || input.model === "mnist-cnn";
const full = mnist ? loadMnistSet("train") : loadImdbTrain({ cacheDir: input.cacheDir });
const data = head(full, input.examples);
const { topology } = parseModelSpec({ format: "keras", topology: { class_name: "Sequential", config: { layers: kerasLayers(spec) } } });
const compile = { optimizer: "rmsprop" as const, learningRate: 0.001, loss: spec.loss, metrics: ["accuracy" as const] };

let trainSeconds: number;
let loss: number | undefined;
let accuracy: number | undefined;
const wallStart = performance.now();
if (input.mode === "harness") {
  const { report, model } = await train(tf, {
    topology,
    training: { compile, fit: { epochs: spec.epochs, batchSize: spec.batchSize, validationSplit: 0, shuffle: true } },
    train: data,
    task: mnist ? { kind: "multiclass", numClasses: 10 } : { kind: "binary", numClasses: 1 },
    seed: 1,
  });
  model.dispose();
  trainSeconds = report.history.reduce((s, e) => s + e.seconds, 0);
  loss = report.history.at(-1)?.loss;
  accuracy = report.history.at(-1)?.accuracy;
} else {
  // Plain Layers API: the whole set as one tensor (MNIST only: IMDB's would be 1 GB).
  const x = new Float32Array(data.n * data.inputSize);
  data.gatherInputs(
    Int32Array.from({ length: data.n }, (_, i) => i),
    x,
  );
  const xs = tf.tensor2d(x, [data.n, data.inputSize]);
  const ys = tf.tensor1d(Float32Array.from(data.labels ?? []), "float32");
  const model = await tf.models.modelFromJSON(withSeeds(topology, 1));
  model.compile({ optimizer: tf.train.rmsprop(0.001), loss: spec.loss, metrics: ["accuracy"] });
  const started = performance.now();
  const history = await model.fit(xs, ys, { batchSize: spec.batchSize, epochs: spec.epochs, shuffle: true, verbose: 0 });
  trainSeconds = (performance.now() - started) / 1000;
  loss = Number(history.history.loss?.at(-1));
  accuracy = Number((history.history.acc ?? history.history.accuracy)?.at(-1));
  model.dispose();
  xs.dispose();
  ys.dispose();
}
const examples = data.n * spec.epochs;
emitResult({
  backend,
  tfjsVersion,
  blas: blas?.loaded ? blas.info.config || blas.info.resolved : undefined,
  examples,
  trainSeconds,
  wallSeconds: (performance.now() - wallStart) / 1000,
  examplesPerSecond: examples / trainSeconds,
  loss,
  accuracy,
  simd: await tf
    .env()
    .getAsync("WASM_HAS_SIMD_SUPPORT")
    .catch(() => false),
  peakRssMb: peakRssMb(),
});
