import { initBackend } from "../backend";
import { parseModelSpec } from "../model";
import { train } from "./harness";
import { mnistSlice, syntheticSet } from "./testing";
const { tf } = await initBackend();
const run = async (label: string, layers: unknown[], data: ReturnType<typeof mnistSlice>, numClasses: number, loss: "sparseCategoricalCrossentropy" | "binaryCrossentropy") => {
  const { topology } = parseModelSpec({ format: "keras", topology: { class_name: "Sequential", config: { layers } } });
  const { report, model } = await train(tf, { topology, training: { compile: { optimizer: "rmsprop", learningRate: 0.001, loss, metrics: ["accuracy"] }, fit: { epochs: 1, batchSize: 128, validationSplit: 0, shuffle: true } }, train: data, task: { kind: numClasses > 1 ? "multiclass" : "binary", numClasses }, seed: 1 });
  model.dispose();
  const s = report.history[0]?.seconds ?? 0;
  console.log(label, (data.n / s).toFixed(0), "ex/s", report.history[0]?.accuracy?.toFixed(3));
};
await run("cnn conv32-pool-dense10", [
  { class_name: "InputLayer", config: { batch_input_shape: [null, 28, 28, 1] } },
  { class_name: "Conv2D", config: { filters: 32, kernel_size: 3, activation: "relu" } },
  { class_name: "MaxPooling2D", config: { pool_size: 2 } },
  { class_name: "Flatten", config: {} },
  { class_name: "Dense", config: { units: 10, activation: "softmax" } }], mnistSlice(5000), 10, "sparseCategoricalCrossentropy");
const tokens = syntheticSet(5000, [200], 2, (i, j) => (i * 31 + j * 17) % 10000);
const binary = { ...tokens, labels: Float32Array.from({ length: 5000 }, (_, i) => i % 2) };
await run("embedding10000x16-gap-dense", [
  { class_name: "Embedding", config: { input_dim: 10000, output_dim: 16, batch_input_shape: [null, 200] } },
  { class_name: "GlobalAveragePooling1D", config: {} },
  { class_name: "Dense", config: { units: 1, activation: "sigmoid" } }], binary, 1, "binaryCrossentropy");
await run("lstm32 on 28x28 rows", [
  { class_name: "LSTM", config: { units: 32, batch_input_shape: [null, 28, 28] } },
  { class_name: "Dense", config: { units: 10, activation: "softmax" } }], mnistSlice(2000), 10, "sparseCategoricalCrossentropy");
