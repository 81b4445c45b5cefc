/**
 * Speed check (not a test): MNIST 784-512-10, rmsprop, batch 128, one epoch.
 *   pnpm exec tsx src/training/measure.ts [examples=60000] [--plain]
 * `--plain` sets up wasm without our kernel overrides, to show what they buy.
 *
 * Measured on the 2-core dev VM (tfjs 4.22, wasm SIMD, Node 20), 60,000 examples, 1 epoch:
 *   model.fit, plain wasm          :     986 ex/s
 *   our loop,  plain wasm          :    1,176 ex/s
 *   model.fit, transpose override  :    5,213 ex/s
 *   our loop,  transpose override  :    7,842 ex/s (1 epoch 7.7 s; accuracy 0.925)
 * The transposed-matmul override is most of the gain (5.3×: Dense backprop is xᵀ·dy and dy·Wᵀ);
 * our loop adds 1.5× over fit (no whole-epoch tensors, no per-batch callbacks and event-loop
 * yields) plus seeded shuffling. At ~10 G multiply-adds/s it runs at ~75% of wasm's plain
 * matmul throughput, so little is left to win per step on this backend.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { initBackend } from "../backend";
import { parseModelSpec } from "../model";
import { train } from "./harness";
import { range } from "./rng";
import { mnistSlice } from "./testing";

const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 60_000);
const plain = process.argv.includes("--plain");

if (plain) {
  const pkg = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json");
  setWasmPaths(path.join(path.dirname(pkg), "dist") + path.sep);
  await tf.setBackend("wasm");
} else {
  await initBackend({ prefer: ["wasm"] });
}
console.log(`backend ${tf.getBackend()}${plain ? " (no overrides)" : " (with overrides)"}, ${n} examples`);

const { topology } = parseModelSpec({
  format: "tfjs",
  topology: {
    class_name: "Sequential",
    config: {
      layers: [
        { class_name: "Dense", config: { units: 512, activation: "relu", batch_input_shape: [null, 784] } },
        { class_name: "Dense", config: { units: 10, activation: "softmax" } },
      ],
    },
  },
});
const data = mnistSlice(n);
const training = {
  compile: { optimizer: "rmsprop" as const, learningRate: 0.001, loss: "sparseCategoricalCrossentropy" as const, metrics: ["accuracy" as const] },
  fit: { epochs: 1, batchSize: 128, validationSplit: 0, shuffle: true },
};

{
  const model = await tf.models.modelFromJSON(topology);
  model.compile({ optimizer: tf.train.rmsprop(0.001), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const buf = new Float32Array(n * 784);
  data.gatherInputs(range(n), buf);
  const xs = tf.tensor2d(buf, [n, 784]);
  const ys = tf.tensor2d(Float32Array.from(data.labels ?? []), [n, 1]);
  const t = performance.now();
  await model.fit(xs, ys, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
  const s = (performance.now() - t) / 1000;
  console.log(`model.fit: ${(n / s).toFixed(0)} ex/s (${s.toFixed(1)} s)`);
  tf.dispose([xs, ys]);
  model.dispose();
}
{
  const { report, model } = await train(tf, { topology, training, train: data, task: { kind: "multiclass", numClasses: 10 }, seed: 1 });
  const s = report.history[0]?.seconds ?? Number.NaN;
  console.log(`our loop:  ${(n / s).toFixed(0)} ex/s (${s.toFixed(1)} s), loss ${report.history[0]?.loss.toFixed(4)}, accuracy ${report.history[0]?.accuracy?.toFixed(4)}`);
  model.dispose();
}
