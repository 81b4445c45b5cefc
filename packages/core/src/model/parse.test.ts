import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { BudgetError, ValidationError } from "../contracts/errors";
import { parseModelSpec, withSeeds, type JsonObject } from "./index";

const fixtureDir = fileURLToPath(new URL("./fixtures/", import.meta.url));
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith(".json"));

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await initBackend());
});

/** Loads our normalized topology in TF.js and compares its shapes and parameter count with ours. */
async function agreeWithTfjs(topology: JsonObject, totalParams: number, layerShapes: (number | null)[][]): Promise<void> {
  const model = await tf.models.modelFromJSON(withSeeds(topology, 7));
  try {
    expect(model.countParams()).toBe(totalParams);
    expect(model.layers.map((l) => l.outputShape)).toEqual(layerShapes);
  } finally {
    model.dispose();
  }
}

describe("parseModelSpec on real formats", () => {
  it.each(fixtures)("%s parses, loads in TF.js and agrees on shapes and parameters", async (file) => {
    const text = readFileSync(fixtureDir + file, "utf8");
    const format = file.startsWith("keras") ? "keras" : "tfjs";
    const asString = parseModelSpec({ format, topology: text });
    const asObject = parseModelSpec({ format, topology: JSON.parse(text) as Record<string, unknown> });
    expect(asObject).toEqual(asString);
    const { topology, summary } = asString;
    expect(summary.layers.length).toBeGreaterThan(1);
    await agreeWithTfjs(
      topology,
      summary.totalParams,
      summary.layers.map((l) => l.outputShape),
    );
  });

  it("counts the MNIST MLP exactly", () => {
    const { summary } = parseModelSpec({ format: "tfjs", topology: readFileSync(fixtureDir + "tfjs-sequential.json", "utf8") });
    expect(summary.totalParams).toBe(784 * 128 + 128 + 128 * 10 + 10);
    expect(summary.inputShape).toEqual([null, 784]);
    expect(summary.outputShape).toEqual([null, 10]);
    expect(summary.trainingFlopsPerExample).toBe(3 * (784 * 128 + 128 * 128 * 0 + 128 + 128 * 10));
  });
});

const seq = (input: number[], ...layers: [string, Record<string, unknown>][]): Record<string, unknown> => ({
  class_name: "Sequential",
  config: {
    name: "m",
    layers: layers.map(([class_name, config], i) => ({
      class_name,
      config: i === 0 ? { ...config, batch_input_shape: [null, ...input] } : config,
    })),
  },
});

// Each whitelisted class (and its main options) against TF.js's own countParams and output shapes.
const layerCases: [string, Record<string, unknown>][] = [
  ["dense", seq([20], ["Dense", { units: 7 }], ["Dense", { units: 3, use_bias: false, activation: "softmax" }])],
  ["dense on sequences", seq([5, 4], ["Dense", { units: 6 }])],
  ["conv1d same stride 2", seq([30, 3], ["Conv1D", { filters: 4, kernel_size: 5, strides: 2, padding: "same" }])],
  ["conv2d valid", seq([12, 10, 2], ["Conv2D", { filters: 5, kernel_size: [3, 2], strides: [2, 1] }], ["Flatten", {}])],
  ["pooling 1d", seq([17, 3], ["MaxPooling1D", { pool_size: 3 }], ["AveragePooling1D", { pool_size: 2, padding: "same" }])],
  ["pooling 2d", seq([9, 9, 2], ["MaxPooling2D", { pool_size: [2, 2] }], ["AveragePooling2D", { pool_size: 2, strides: 1 }])],
  ["global pooling 1d", seq([8, 3], ["GlobalAveragePooling1D", {}])],
  ["global max 1d", seq([8, 3], ["GlobalMaxPooling1D", {}])],
  ["global pooling 2d", seq([6, 6, 4], ["GlobalAveragePooling2D", {}])],
  ["global max 2d", seq([6, 6, 4], ["GlobalMaxPooling2D", {}])],
  ["batchnorm", seq([6, 6, 4], ["BatchNormalization", {}], ["BatchNormalization", { center: false, axis: 3 }])],
  ["embedding", seq([12], ["Embedding", { input_dim: 50, output_dim: 6 }], ["Flatten", {}])],
  ["simple rnn", seq([7, 3], ["SimpleRNN", { units: 5, return_sequences: true }])],
  ["lstm", seq([7, 3], ["LSTM", { units: 5 }])],
  ["lstm no bias", seq([7, 3], ["LSTM", { units: 4, use_bias: false }])],
  ["gru", seq([7, 3], ["GRU", { units: 5, reset_after: false }])],
  [
    "activation dropout reshape",
    seq([12], ["Reshape", { target_shape: [3, -1] }], ["Activation", { activation: "tanh" }], ["Dropout", { rate: 0.3 }]),
  ],
];

describe("our shape inference equals TF.js", () => {
  it.each(layerCases)("%s", async (_name, topology) => {
    const { topology: normalized, summary } = parseModelSpec({ format: "tfjs", topology });
    await agreeWithTfjs(
      normalized,
      summary.totalParams,
      summary.layers.map((l) => l.outputShape),
    );
  });
});

const rejects: [string, unknown, typeof ValidationError | typeof BudgetError, RegExp][] = [
  ["a Lambda layer", seq([4], ["Lambda", { function: "lambda x: x" }]), ValidationError, /Lambda.*not allowed/],
  ["an unknown class", seq([4], ["MyLayer", {}]), ValidationError, /"MyLayer" is not supported/],
  ["too many units", seq([4], ["Dense", { units: 1_000_000 }]), ValidationError, /`units` must be ≤ 4096, got 1000000/],
  ["a huge input × dense", seq([100_000], ["Dense", { units: 4096 }]), BudgetError, /parameters/],
  ["a 10⁹-wide input", seq([1e9], ["Dense", { units: 10 }]), ValidationError, /input shape/],
  ["dropout rate 1", seq([4], ["Dropout", { rate: 1 }]), ValidationError, /rate/],
  ["NaN units", seq([4], ["Dense", { units: Number.NaN }]), ValidationError, /finite/],
  ["an unknown activation", seq([4], ["Dense", { units: 2, activation: "eval" }]), ValidationError, /activations/],
  ["an unknown initializer", seq([4], ["Dense", { units: 2, kernel_initializer: "Evil" }]), ValidationError, /initializers/],
  [
    "channels_first",
    seq([3, 8, 8], ["Conv2D", { filters: 2, kernel_size: 3, data_format: "channels_first" }]),
    ValidationError,
    /channels_last/,
  ],
  ["a kernel of 12", seq([30, 30, 1], ["Conv2D", { filters: 2, kernel_size: 12 }]), ValidationError, /kernel_size/],
  ["GRU reset_after", seq([5, 2], ["GRU", { units: 2, reset_after: true }]), ValidationError, /reset_after/],
  [
    "no input shape",
    { class_name: "Sequential", config: { layers: [{ class_name: "Dense", config: { units: 2 } }] } },
    ValidationError,
    /input shape/,
  ],
  ["an unknown model class", { class_name: "Evil", config: { layers: [] } }, ValidationError, /class_name/],
  ["__proto__ keys", '{"class_name":"Sequential","__proto__":{"x":1},"config":{"layers":[]}}', ValidationError, /__proto__/],
  ["deep nesting", "[".repeat(100_000) + "]".repeat(100_000), ValidationError, /characters|nested/],
  [
    "65 layers",
    seq([4], ...Array.from({ length: 65 }, (): [string, Record<string, unknown>] => ["Dense", { units: 4 }])),
    ValidationError,
    /at most 64 layers/,
  ],
  ["Flatten on a flat input (TF.js throws)", seq([4], ["Dense", { units: 2 }], ["Flatten", {}]), ValidationError, /already flat/],
  // Regression (found by fuzz.test.ts): lookups by untrusted name hit Object.prototype members.
  ["a layer class named __proto__", seq([4], ["__proto__", {}]), ValidationError, /not supported/],
  ["a layer class named constructor", seq([4], ["constructor", {}]), ValidationError, /not supported/],
  ["an activation named constructor", seq([4], ["Dense", { units: 2, activation: "constructor" }]), ValidationError, /activations/],
  [
    "an initializer named constructor",
    seq([4], ["Dense", { units: 2, kernel_initializer: "constructor" }]),
    ValidationError,
    /initializers/,
  ],
  ["bad JSON", "{nope", ValidationError, /does not parse/],
];

describe("parseModelSpec rejects", () => {
  it.each(rejects)("%s", (_name, topology, errorClass, message) => {
    const run = (): unknown => parseModelSpec({ format: "tfjs", topology: topology as string });
    expect(run).toThrow(errorClass);
    expect(run).toThrow(message);
  });
});

const functional = (layers: unknown[], input = "in", output = "out"): Record<string, unknown> => ({
  class_name: "Functional",
  config: { name: "f", layers, input_layers: [[input, 0, 0]], output_layers: [[output, 0, 0]] },
});
const inputLayer = { class_name: "InputLayer", name: "in", config: { batch_input_shape: [null, 4], name: "in" }, inbound_nodes: [] };
const denseFrom = (name: string, from: string) => ({
  class_name: "Dense",
  name,
  config: { units: 2, name },
  inbound_nodes: [[[from, 0, 0, {}]]],
});

describe("functional graphs", () => {
  it.each([
    // TF.js's loader spins forever on this one (tfjs issue #7271); we must answer at once.
    ["a missing inbound layer", functional([inputLayer, denseFrom("out", "ghost")]), /"ghost" that does not exist/],
    ["a cycle", functional([inputLayer, denseFrom("a", "out"), denseFrom("out", "a")]), /cycle/],
    ["a missing output", functional([inputLayer, denseFrom("x", "in")], "in", "out"), /"out" that does not exist/],
    ["a dangling layer", functional([inputLayer, denseFrom("out", "in"), denseFrom("extra", "in")]), /not between/],
    [
      "two inputs",
      {
        ...functional([inputLayer]),
        config: {
          layers: [inputLayer],
          input_layers: [
            ["in", 0, 0],
            ["in", 0, 0],
          ],
          output_layers: [["in", 0, 0]],
        },
      },
      /exactly one input/,
    ],
  ])("rejects %s", (_name, topology, message) => {
    expect(() => parseModelSpec({ format: "keras", topology })).toThrow(message);
  });

  it("accepts a chain", () => {
    const { summary } = parseModelSpec({
      format: "keras",
      topology: functional([inputLayer, denseFrom("mid", "in"), denseFrom("out", "mid")]),
    });
    expect(summary.totalParams).toBe(4 * 2 + 2 + 2 * 2 + 2);
  });
});
