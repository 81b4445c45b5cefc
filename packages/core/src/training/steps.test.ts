import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import type { OptimizerName, TrainingConfig } from "../contracts/training";
import { parseModelSpec } from "../model";
import { buildModel, firstEpochOrder, train, trainSteps, type StepsOptions } from "./index";
import { mnistSlice } from "./testing";

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await initBackend());
});

const topology = parseModelSpec({
  format: "tfjs",
  topology: {
    class_name: "Sequential",
    config: {
      layers: [
        { class_name: "Dense", config: { units: 16, activation: "relu", batch_input_shape: [null, 784] } },
        { class_name: "Dropout", config: { rate: 0.3 } },
        { class_name: "Dense", config: { units: 10, activation: "softmax" } },
      ],
    },
  },
}).topology;

const regression = parseModelSpec({
  format: "tfjs",
  topology: {
    class_name: "Sequential",
    config: {
      layers: [
        { class_name: "Dense", config: { units: 8, activation: "relu", batch_input_shape: [null, 784] } },
        { class_name: "Dense", config: { units: 1 } },
      ],
    },
  },
}).topology;

const config = (fit: Partial<TrainingConfig["fit"]> = {}, compile: Partial<TrainingConfig["compile"]> = {}): TrainingConfig => ({
  compile: { optimizer: "rmsprop", learningRate: 0.001, loss: "categoricalCrossentropy", metrics: ["accuracy"], ...compile },
  fit: { epochs: 2, batchSize: 32, validationSplit: 0.25, shuffle: true, ...fit },
});

const options = (over: Partial<StepsOptions> = {}): StepsOptions => ({
  topology,
  training: config(),
  train: mnistSlice(300),
  task: { kind: "multiclass", numClasses: 10 },
  seed: 7,
  ...over,
});

const weighted = (rows: { loss: number; size: number }[]) =>
  rows.reduce((a, r) => a + r.loss * r.size, 0) / rows.reduce((a, r) => a + r.size, 0);

describe("trainSteps", () => {
  it.each([true, false])("averages to train's per-epoch loss exactly (shuffle %s): the same pipeline, step by step", async (shuffle) => {
    const training = config({ shuffle });
    const steps = await trainSteps(tf, options({ training }));
    const reference = await train(tf, { ...options({ training }), validation: undefined });
    steps.model.dispose();
    reference.model.dispose();
    expect(steps.stopReason).toBe("completed");
    expect(steps.epochSize).toBe(225);
    expect(steps.batches).toHaveLength(2 * Math.ceil(225 / 32));
    for (const epoch of [1, 2]) {
      const rows = steps.batches.filter((b) => b.epoch === epoch);
      expect(weighted(rows)).toBeCloseTo(reference.report.history[epoch - 1]?.loss ?? Number.NaN, 5);
    }
    expect(steps.batches.map((b) => b.step)).toEqual(steps.batches.map((_, i) => i));
  });

  it.each([true, false])("predicts the first epoch's order train gathers its batches in (shuffle %s)", async (shuffle) => {
    const slice = mnistSlice(300);
    const gathered: number[][] = [];
    const recording = {
      ...slice,
      gatherInputs: (indices: ArrayLike<number>, out: Float32Array) => (
        gathered.push(Array.from(indices)),
        slice.gatherInputs(indices, out)
      ),
    };
    const training = config({ epochs: 1, shuffle });
    // Without the evidence probes, which gather batches of their own before training.
    const { model } = await train(tf, { ...options({ training }), train: recording, evidence: false });
    model.dispose();
    const order = Array.from(firstEpochOrder(300, training.fit, 7));
    expect(order).toHaveLength(225);
    // The first epoch's batches come first; validation batches follow them.
    expect(gathered.slice(0, Math.ceil(225 / 32)).flat()).toEqual(order);
    expect(new Set(order).size).toBe(225);
    expect(order.some((v, i) => i > 0 && v < (order[i - 1] ?? 0))).toBe(shuffle);
  });

  it.each(["sgd", "momentum", "adam", "rmsprop", "adagrad", "adadelta", "adamax"] as OptimizerName[])(
    "applies the learning-rate schedule to %s: a rate of 0 leaves the weights where they started",
    async (optimizer) => {
      const training = config({ validationSplit: 0 }, { optimizer, learningRate: 0.01 });
      const frozen = await trainSteps(tf, options({ training, steps: 3, learningRate: () => 0 }));
      const moving = await trainSteps(tf, options({ training, steps: 3, learningRate: (step) => 0.01 * (step + 1) }));
      const initial = await buildModel(tf, topology, 7);
      const values = (model: typeof initial) => model.getWeights().map((w) => Array.from(w.dataSync()));
      try {
        expect(values(frozen.model)).toEqual(values(initial));
        expect(values(moving.model)).not.toEqual(values(initial));
        expect(moving.batches.map((b) => b.learningRate)).toEqual([0.01, 0.02, 0.03]);
      } finally {
        frozen.model.dispose();
        moving.model.dispose();
        initial.dispose();
      }
    },
  );

  it("stops where onBatch asks, when the loss turns NaN, and rejects an empty run", async () => {
    const stopped = await trainSteps(tf, options({ onBatch: (b) => b.step === 4 }));
    stopped.model.dispose();
    expect(stopped.stopReason).toBe("stopped");
    expect(stopped.batches).toHaveLength(5);

    // Cross-entropy clips probabilities, so only a regression loss reaches NaN/Infinity.
    const exploding = await trainSteps(
      tf,
      options({
        topology: regression,
        task: { kind: "regression", numClasses: 1 },
        training: config({}, { optimizer: "sgd", loss: "meanSquaredError", metrics: [] }),
        steps: 200,
        learningRate: (step) => 10 ** (step / 4),
      }),
    );
    exploding.model.dispose();
    expect(exploding.stopReason).toBe("diverged");
    expect(Number.isFinite(exploding.batches.at(-1)?.loss)).toBe(false);
    expect(exploding.batches.length).toBeLessThan(200);

    await expect(trainSteps(tf, options({ steps: 0 }))).rejects.toThrow(/at least 1 step/);
  });
});
