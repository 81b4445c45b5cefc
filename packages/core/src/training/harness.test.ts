import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { ValidationError } from "../contracts/errors";
import type { EpochMetrics, TrainingConfig } from "../contracts/training";
import { parseModelSpec } from "../model";
import { predict, train, type TrainOptions } from "./index";
import { denseOnMnist, mnistSlice, syntheticSet } from "./testing";

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await initBackend());
});

const mlp = (hidden: number, dropout = 0.2) =>
  denseOnMnist(
    hidden,
    { class_name: "Dropout", config: { rate: dropout } },
    { class_name: "Dense", config: { units: 10, activation: "softmax" } },
  );

const config = (over: Partial<TrainingConfig["fit"]> = {}, compile: Partial<TrainingConfig["compile"]> = {}): TrainingConfig => ({
  compile: { optimizer: "adam", learningRate: 0.001, loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"], ...compile },
  fit: { epochs: 3, batchSize: 64, validationSplit: 0.2, shuffle: true, ...over },
});

const base = (over: Partial<TrainOptions> = {}): TrainOptions => ({
  topology: mlp(32),
  training: config(),
  train: mnistSlice(1500),
  task: { kind: "multiclass", numClasses: 10 },
  seed: 42,
  ...over,
});

const withoutTime = (h: EpochMetrics[]) => h.map(({ seconds: _s, ...rest }) => rest);

describe("train", () => {
  it("learns MNIST and reproduces its history exactly with the same seed", async () => {
    const first = await train(tf, base());
    const second = await train(tf, base());
    const other = await train(tf, base({ seed: 43 }));
    try {
      const h = first.report.history;
      expect(h).toHaveLength(3);
      expect(h[2]?.loss).toBeLessThan(h[0]?.loss ?? 0);
      expect(h[2]?.valAccuracy).toBeGreaterThan(0.8);
      expect(first.report.backend).toMatch(/^wasm(\+openblas)?$/);
      expect(first.report.stopReason).toBe("completed");
      expect(withoutTime(second.report.history)).toEqual(withoutTime(h));
      expect(withoutTime(other.report.history)).not.toEqual(withoutTime(h));
      const probs = predict(tf, first.model, mnistSlice(100, 5000));
      expect(probs).toHaveLength(1000);
      expect(probs.slice(0, 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    } finally {
      for (const r of [first, second, other]) r.model.dispose();
    }
  });

  it.each(["categoricalCrossentropy", "sparseCategoricalCrossentropy"] as const)("encodes labels for %s", async (loss) => {
    const { report, model } = await train(tf, base({ training: config({ epochs: 2 }, { loss }) }));
    model.dispose();
    expect(report.history[1]?.valAccuracy).toBeGreaterThan(0.7);
  });

  it("reshapes flat rows to a conv input and uses a given validation set", async () => {
    const cnn = parseModelSpec({
      format: "keras",
      topology: {
        class_name: "Sequential",
        config: {
          layers: [
            { class_name: "InputLayer", config: { batch_input_shape: [null, 28, 28, 1] } },
            { class_name: "Conv2D", config: { filters: 4, kernel_size: 3, activation: "relu" } },
            { class_name: "MaxPooling2D", config: { pool_size: 2 } },
            { class_name: "Flatten", config: {} },
            { class_name: "Dense", config: { units: 10, activation: "softmax" } },
          ],
        },
      },
    }).topology;
    const { report, model } = await train(tf, base({ topology: cnn, training: config({ epochs: 1 }), validation: mnistSlice(200, 3000) }));
    model.dispose();
    expect(report.history[0]?.valAccuracy).toBeGreaterThan(0.5);
  });

  it("draws the validation split from splitSeed, whatever the training seed", async () => {
    // All-zero inputs and no bias: every output is exactly uniform, argmax says class 0, so validation
    // accuracy is the share of class 0 among the validation examples — a fingerprint of the split.
    const topology = parseModelSpec({
      format: "tfjs",
      topology: {
        class_name: "Sequential",
        config: {
          layers: [{ class_name: "Dense", config: { units: 10, activation: "softmax", use_bias: false, batch_input_shape: [null, 4] } }],
        },
      },
    }).topology;
    const labels = Int32Array.from({ length: 400 }, (_, i) => ((i * 7919) % 13 < 4 ? 0 : 1 + (i % 9)));
    const data = { ...syntheticSet(400, [4], 10, () => 0), labels };
    const shareOfZeros = async (seed: number, splitSeed?: number) => {
      const { report, model } = await train(tf, {
        ...base({ topology, train: data, seed, training: config({ epochs: 1 }) }),
        ...(splitSeed !== undefined ? { splitSeed } : {}),
      });
      model.dispose();
      return report.history[0]?.valAccuracy;
    };
    const pinned = await Promise.all([1, 2, 3].map((seed) => shareOfZeros(seed, 99)));
    expect(new Set(pinned).size).toBe(1);
    const followingSeed = await Promise.all([1, 2, 3].map((seed) => shareOfZeros(seed)));
    expect(new Set(followingSeed).size).toBeGreaterThan(1);
  });

  it("rejects data of the wrong size, naming the shapes that would fit", async () => {
    const wrong = parseModelSpec({
      format: "tfjs",
      topology: {
        class_name: "Sequential",
        config: { layers: [{ class_name: "Dense", config: { units: 10, batch_input_shape: [null, 32, 32, 3] } }] },
      },
    }).topology;
    await expect(train(tf, base({ topology: wrong }))).rejects.toThrow(ValidationError);
    await expect(train(tf, base({ topology: wrong }))).rejects.toThrow(/\[784\] or \[28, 28, 1\]/);
  });

  it("rejects a last layer that does not fit the task", async () => {
    await expect(
      train(tf, base({ task: { kind: "binary", numClasses: 1 }, training: config({}, { loss: "binaryCrossentropy" }) })),
    ).rejects.toThrow(/last layer has 10 units; binaryCrossentropy needs 1/);
  });
});

describe("stops", () => {
  it("on abort", async () => {
    const controller = new AbortController();
    const { report, model } = await train(tf, base({ signal: controller.signal, onEpoch: () => controller.abort() }));
    model.dispose();
    expect(report.stopReason).toBe("aborted");
    expect(report.history).toHaveLength(1);
  });

  it("on the wall-clock budget, with an injected clock", async () => {
    let t = 0;
    const { report, model } = await train(tf, base({ maxSeconds: 5, now: () => (t += 100) }));
    model.dispose();
    expect(report.stopReason).toBe("budget");
    expect(report.stoppedEarly).toBe(true);
  });

  it("when the loss diverges", async () => {
    const { report, model } = await train(
      tf,
      base({
        training: config({ epochs: 5 }, { optimizer: "sgd", learningRate: 10, loss: "meanSquaredError" }),
        task: { kind: "regression", numClasses: 1 },
        topology: regression(),
      }),
    );
    model.dispose();
    expect(report.stopReason).toBe("diverged");
  });

  it("early, from fit.earlyStopping, restoring the best epoch's weights: the same predictions as training exactly that many epochs", async () => {
    const fit = { epochs: 40, batchSize: 16, earlyStopping: { patience: 2, restoreBestWeights: true } };
    const stopped = await train(tf, base({ topology: mlp(64, 0.2), train: mnistSlice(300), training: config(fit) }));
    const { report } = stopped;
    const bestEpoch = report.bestEpoch ?? 0;
    const exactly = await train(
      tf,
      base({ topology: mlp(64, 0.2), train: mnistSlice(300), training: config({ epochs: bestEpoch, batchSize: 16 }) }),
    );
    const last = await train(
      tf,
      base({
        topology: mlp(64, 0.2),
        train: mnistSlice(300),
        training: config({ ...fit, earlyStopping: { patience: 2, restoreBestWeights: false } }),
      }),
    );
    try {
      expect(report.stopReason).toBe("early_stopping");
      expect(report.history).toHaveLength(bestEpoch + 2);
      const losses = report.history.map((h) => h.valLoss ?? Number.POSITIVE_INFINITY);
      expect(Math.min(...losses)).toBe(losses[bestEpoch - 1]);
      const probe = mnistSlice(200, 5000);
      const restored = predict(tf, stopped.model, probe);
      expect(Buffer.from(restored.buffer).equals(Buffer.from(predict(tf, exactly.model, probe).buffer))).toBe(true);
      // Without restoring, the model is the last epoch's: same run, other weights.
      expect(last.report.history).toHaveLength(report.history.length);
      expect(Buffer.from(restored.buffer).equals(Buffer.from(predict(tf, last.model, probe).buffer))).toBe(false);
    } finally {
      for (const r of [stopped, exactly, last]) r.model.dispose();
    }
  });

  it("refuses early stopping without validation data, naming the fix", async () => {
    const run = train(tf, base({ training: config({ validationSplit: 0, earlyStopping: { patience: 3, restoreBestWeights: true } }) }));
    await expect(run).rejects.toThrow(ValidationError);
    await expect(
      train(tf, base({ training: config({ validationSplit: 0, earlyStopping: { patience: 3, restoreBestWeights: true } }) })),
    ).rejects.toThrow(/set a validation split above 0.*or use K-fold/);
  });
});

describe("augmentation", () => {
  const training = (augmentation?: { shift: number; rotation: number; zoom: number }, compile: Partial<TrainingConfig["compile"]> = {}) =>
    config({ epochs: 2, ...(augmentation ? { augmentation } : {}) }, compile);

  it("draws from its own stream: with an identity transform the run is byte-for-byte the run without augmentation (same shuffles, same dropout)", async () => {
    const plain = await train(tf, base({ training: training() }));
    const identity = await train(tf, base({ training: training({ shift: 0, rotation: 0, zoom: 0 }) }));
    const augmented = await train(tf, base({ training: training({ shift: 2, rotation: 10, zoom: 0.1 }) }));
    const again = await train(tf, base({ training: training({ shift: 2, rotation: 10, zoom: 0.1 }) }));
    for (const r of [plain, identity, augmented, again]) r.model.dispose();
    expect(withoutTime(identity.report.history)).toEqual(withoutTime(plain.report.history));
    expect(withoutTime(augmented.report.history)).not.toEqual(withoutTime(plain.report.history));
    expect(withoutTime(again.report.history)).toEqual(withoutTime(augmented.report.history));
    // Harder training batches, the same digits: it still learns (0.69 after 2 epochs on 1,200 examples; chance is 0.1).
    expect(augmented.report.history[1]?.valAccuracy).toBeGreaterThan(0.5);
  });

  it("transforms training batches only: with frozen weights, validation loss and predictions are those of the unaugmented run", async () => {
    // SGD at 1e-12 leaves float32 weights unchanged, so any difference in validation could only come from its inputs.
    const frozen = { optimizer: "sgd" as const, learningRate: 1e-12 };
    const plain = await train(tf, base({ training: training(undefined, frozen) }));
    const augmented = await train(tf, base({ training: training({ shift: 3, rotation: 20, zoom: 0.2 }, frozen) }));
    try {
      expect(augmented.report.history.map((h) => h.valLoss)).toEqual(plain.report.history.map((h) => h.valLoss));
      expect(augmented.report.history[0]?.loss).not.toBe(plain.report.history[0]?.loss);
      const probe = mnistSlice(100, 5000);
      expect(Array.from(predict(tf, augmented.model, probe))).toEqual(Array.from(predict(tf, plain.model, probe)));
    } finally {
      plain.model.dispose();
      augmented.model.dispose();
    }
  });

  it("refuses data that is not images", async () => {
    const flat = { ...syntheticSet(200, [784], 10, (i, j) => ((i + j) % 7) / 7) };
    await expect(train(tf, base({ train: flat, training: training({ shift: 1, rotation: 0, zoom: 0 }) }))).rejects.toThrow(
      /applies to images \(MNIST\); this dataset's examples are vectors of 784 values/,
    );
  });
});

function regression() {
  return denseOnMnist(64, { class_name: "Dense", config: { units: 1 } });
}

describe("memory", () => {
  it("returns to its starting tensor count after 100 small trainings", async () => {
    const tiny = parseModelSpec({
      format: "tfjs",
      topology: {
        class_name: "Sequential",
        config: { layers: [{ class_name: "Dense", config: { units: 10, activation: "softmax", batch_input_shape: [null, 784] } }] },
      },
    }).topology;
    const data = mnistSlice(40);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const { model } = await train(tf, base({ topology: tiny, train: data, training: config({ epochs: 1, batchSize: 16 }), seed: i + 1 }));
      predict(tf, model, data);
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
