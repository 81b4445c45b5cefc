import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { LAYER_CLASSES, parseModelSpec } from "../model";
import type { ExampleSet } from "../datasets/types";
import { train } from "./index";
import { mnistSlice, syntheticSet } from "./testing";

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await initBackend());
});

type L = [string, Record<string, unknown>];
const head: L[] = [
  ["Flatten", {}],
  ["Dense", { units: 10, activation: "softmax" }],
];
const image = (...layers: L[]): [number[], L[], ExampleSet] => [[28, 28, 1], [...layers, ...head], mnistSlice(96)];
const rows = (...layers: L[]): [number[], L[], ExampleSet] => [[28, 28], [...layers, ...head], mnistSlice(96)];
const tokens = syntheticSet(96, [20], 10, (i, j) => (i * 7 + j * 13) % 100);

// Every whitelisted layer class trains on the backend initBackend picks (wasm here): this is how
// the missing wasm gradient kernels were found (Conv2DBackpropFilter, UnsortedSegmentSum).
const cases: [string, [number[], L[], ExampleSet]][] = [
  ["Dense", rows(["Dense", { units: 8, activation: "relu" }])],
  ["Conv2D", image(["Conv2D", { filters: 4, kernel_size: 3, strides: 2, padding: "same" }])],
  ["MaxPooling2D", image(["Conv2D", { filters: 2, kernel_size: 3 }], ["MaxPooling2D", { pool_size: 2 }])],
  ["AveragePooling2D", image(["Conv2D", { filters: 2, kernel_size: 3 }], ["AveragePooling2D", { pool_size: 2 }])],
  [
    "GlobalAveragePooling2D",
    [
      [28, 28, 1],
      [
        ["Conv2D", { filters: 10, kernel_size: 3 }],
        ["GlobalAveragePooling2D", {}],
        ["Activation", { activation: "softmax" }],
      ],
      mnistSlice(96),
    ],
  ],
  [
    "GlobalMaxPooling2D",
    [
      [28, 28, 1],
      [
        ["Conv2D", { filters: 10, kernel_size: 3 }],
        ["GlobalMaxPooling2D", {}],
        ["Activation", { activation: "softmax" }],
      ],
      mnistSlice(96),
    ],
  ],
  ["BatchNormalization", image(["Conv2D", { filters: 2, kernel_size: 3 }], ["BatchNormalization", {}])],
  [
    "Flatten",
    [
      [28, 28],
      [
        ["Flatten", {}],
        ["Dense", { units: 10, activation: "softmax" }],
      ],
      mnistSlice(96),
    ],
  ],
  ["Dropout", rows(["Dropout", { rate: 0.5 }])],
  ["Activation", rows(["Activation", { activation: "relu" }])],
  ["Reshape", [[784], [["Reshape", { target_shape: [28, 28, 1] }], ["Conv2D", { filters: 2, kernel_size: 3 }], ...head], mnistSlice(96)]],
  ["Conv1D", rows(["Conv1D", { filters: 4, kernel_size: 3 }])],
  ["MaxPooling1D", rows(["Conv1D", { filters: 2, kernel_size: 3 }], ["MaxPooling1D", { pool_size: 2 }])],
  ["AveragePooling1D", rows(["Conv1D", { filters: 2, kernel_size: 3 }], ["AveragePooling1D", { pool_size: 2 }])],
  [
    "GlobalAveragePooling1D",
    [
      [28, 28],
      [
        ["Conv1D", { filters: 10, kernel_size: 3 }],
        ["GlobalAveragePooling1D", {}],
        ["Activation", { activation: "softmax" }],
      ],
      mnistSlice(96),
    ],
  ],
  [
    "GlobalMaxPooling1D",
    [
      [28, 28],
      [
        ["Conv1D", { filters: 10, kernel_size: 3 }],
        ["GlobalMaxPooling1D", {}],
        ["Activation", { activation: "softmax" }],
      ],
      mnistSlice(96),
    ],
  ],
  [
    "SimpleRNN",
    [
      [28, 28],
      [
        ["SimpleRNN", { units: 4 }],
        ["Dense", { units: 10, activation: "softmax" }],
      ],
      mnistSlice(96),
    ],
  ],
  [
    "LSTM",
    [
      [28, 28],
      [
        ["LSTM", { units: 4, dropout: 0.1 }],
        ["Dense", { units: 10, activation: "softmax" }],
      ],
      mnistSlice(96),
    ],
  ],
  ["GRU", rows(["GRU", { units: 4, reset_after: false, return_sequences: true }])],
  ["Embedding", [[20], [["Embedding", { input_dim: 100, output_dim: 4 }], ...head], tokens]],
  [
    "InputLayer",
    [
      [784],
      [
        ["InputLayer", {}],
        ["Dense", { units: 10, activation: "softmax" }],
      ],
      mnistSlice(96),
    ],
  ],
];

describe("every whitelisted layer trains on the chosen backend", () => {
  it("covers the whole whitelist", () => {
    expect(cases.map(([name]) => name).sort()).toEqual([...LAYER_CLASSES].sort());
  });

  it.each(cases)("%s", async (_name, [shape, layers, data]) => {
    const [first, ...rest] = layers;
    const withInput: L[] =
      first?.[0] === "InputLayer"
        ? [["InputLayer", { batch_input_shape: [null, ...shape] }], ...rest]
        : [[first?.[0] ?? "", { ...first?.[1], batch_input_shape: [null, ...shape] }], ...rest];
    const { topology } = parseModelSpec({
      format: "keras",
      topology: { class_name: "Sequential", config: { layers: withInput.map(([class_name, config]) => ({ class_name, config })) } },
    });
    const before = tf.memory().numTensors;
    const { report, model } = await train(tf, {
      topology,
      training: {
        compile: { optimizer: "adam", learningRate: 0.01, loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] },
        fit: { epochs: 2, batchSize: 32, validationSplit: 0, shuffle: true },
      },
      train: data,
      task: { kind: "multiclass", numClasses: 10 },
      seed: 5,
    });
    model.dispose();
    expect(report.backend).toMatch(/^wasm(\+openblas)?$/);
    expect(report.history).toHaveLength(2);
    expect(report.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    expect(report.history[1]?.loss).not.toBe(report.history[0]?.loss);
    expect(tf.memory().numTensors).toBe(before);
  });
});
