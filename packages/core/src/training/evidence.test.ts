import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { TrainingReport, type TrainingConfig } from "../contracts/training";
import { parseModelSpec } from "../model";
import { predict, train, type TrainOptions } from "./index";
import { mnistSlice } from "./testing";

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await initBackend());
});

/** `depth` Dense layers of 32 units (the last a 10-way softmax), with dropout after the first. */
function stack(depth: number, activation: string) {
  const hidden = Array.from({ length: depth - 1 }, (_, i) => ({
    class_name: "Dense",
    config: { units: 32, activation, ...(i === 0 ? { batch_input_shape: [null, 784] } : {}) },
  }));
  return parseModelSpec({
    format: "tfjs",
    topology: {
      class_name: "Sequential",
      config: {
        layers: [
          ...hidden.slice(0, 1),
          { class_name: "Dropout", config: { rate: 0.2 } },
          ...hidden.slice(1),
          { class_name: "Dense", config: { units: 10, activation: "softmax" } },
        ],
      },
    },
  }).topology;
}

const config = (optimizer: TrainingConfig["compile"]["optimizer"], learningRate: number, epochs = 2): TrainingConfig => ({
  compile: { optimizer, learningRate, loss: "categoricalCrossentropy", metrics: ["accuracy"] },
  fit: { epochs, batchSize: 32, validationSplit: 0.2, shuffle: true },
});

const options = (over: Partial<TrainOptions>): TrainOptions => ({
  topology: stack(2, "relu"),
  training: config("adam", 1e-3),
  train: mnistSlice(600),
  task: { kind: "multiclass", numClasses: 10 },
  seed: 11,
  ...over,
});

const withoutTime = (report: TrainingReport) => report.history.map(({ seconds: _s, ...rest }) => rest);

describe("first-epoch evidence", () => {
  it("changes nothing: the same history, weights and predictions to the bit with and without it, and frees every tensor", async () => {
    const before = tf.memory().numTensors;
    const base = options({ topology: stack(3, "tanh") });
    const watched = await train(tf, base);
    const plain = await train(tf, { ...base, evidence: false });
    try {
      expect(watched.report.evidence?.layers.length).toBe(3);
      expect(plain.report.evidence).toBeUndefined();
      expect(withoutTime(watched.report)).toEqual(withoutTime(plain.report));
      const weights = (m: typeof plain.model) => m.getWeights().map((w) => Array.from(w.dataSync()));
      expect(weights(watched.model)).toEqual(weights(plain.model));
      const test = mnistSlice(100, 5000);
      expect(predict(tf, watched.model, test)).toEqual(predict(tf, plain.model, test));
    } finally {
      watched.model.dispose();
      plain.model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("passes the report contract (JSON-safe numbers, every layer in order)", async () => {
    const { report, model } = await train(tf, options({ training: config("adam", 1e-3, 1) }));
    model.dispose();
    const parsed = TrainingReport.parse(JSON.parse(JSON.stringify(report)));
    expect(parsed.evidence?.layers.map((l) => l.className)).toEqual(["Dense", "Dense"]);
    expect(parsed.evidence?.probeBatches).toBe(2);
  });

  // Each row: what the evidence of a real first epoch must show for the rules to read it.
  it.each<[string, TrainOptions, (layers: NonNullable<TrainingReport["evidence"]>["layers"]) => void]>([
    [
      "9 sigmoid layers with SGD: the first layer's gradient is orders of magnitude below the last's",
      options({ topology: stack(9, "sigmoid"), training: config("sgd", 0.01, 1) }),
      (layers) => {
        const [first, last] = [layers[0], layers.at(-1)];
        expect((first?.gradientStart ?? 1) / (last?.gradientStart ?? 1)).toBeLessThan(1e-3);
        expect(layers.slice(0, -1).every((l) => l.saturationAfter !== undefined)).toBe(true);
      },
    ],
    [
      "9 relu layers with SGD: gradients of the same order at both ends",
      options({ topology: stack(9, "relu"), training: config("sgd", 0.01, 1) }),
      (layers) => expect((layers[0]?.gradientStart ?? 0) / (layers.at(-1)?.gradientStart ?? 1)).toBeGreaterThan(0.1),
    ],
    [
      "Adam at learning rate 10: one update moves a layer by more than its own size",
      options({ training: config("adam", 10, 1) }),
      (layers) => expect(Math.max(...layers.map((l) => l.firstStepChange ?? 0))).toBeGreaterThan(1),
    ],
    [
      "SGD at 1e-5: the first epoch moves no layer by 0.1 %",
      options({ training: config("sgd", 1e-5, 1) }),
      (layers) => expect(Math.max(...layers.map((l) => l.firstEpochChange ?? 1))).toBeLessThan(1e-3),
    ],
  ])("%s", async (_name, run, check) => {
    const { report, model } = await train(tf, run);
    model.dispose();
    check(report.evidence?.layers ?? []);
  });
});
