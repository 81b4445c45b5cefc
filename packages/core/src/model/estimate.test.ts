import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { BudgetError } from "../contracts/errors";
import type { TrainingConfig } from "../contracts/training";
import { calibrate, estimateTrainingSeconds, validateTrainingConfig } from "./estimate";
import { parseModelSpec } from "./parse";

const { summary } = parseModelSpec({
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

const config = (epochs: number, batchSize: number): TrainingConfig => ({
  compile: { optimizer: "rmsprop", learningRate: 0.001, loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] },
  fit: { epochs, batchSize, validationSplit: 0.2, shuffle: true },
});
const budgets = { maxEpochs: 20, maxBatchSize: 512, maxParams: 500_000, maxSeconds: 60 };

describe("validateTrainingConfig", () => {
  it.each([
    [
      "parameters",
      { ...budgets, maxParams: 100_000 },
      config(5, 128),
      "the model has 407,050 parameters; this exercise allows 100,000 (4.1× over)",
    ],
    ["epochs", budgets, config(50, 128), "training asks for 50 epochs; this exercise allows 20 (2.5× over)"],
    ["batch size", budgets, config(5, 1024), "the batch size is 1,024 examples; this exercise allows 512 (2.0× over)"],
    [
      "time",
      { ...budgets, maxSeconds: 10 },
      config(20, 128),
      "training would take about 48.8 seconds; this exercise allows 10 (4.9× over)",
    ],
  ] as const)("says by how much the %s is over", (_what, b, c, message) => {
    const run = () => validateTrainingConfig(c, b, summary, { examples: 48_000, gflops: 24 });
    expect(run).toThrow(BudgetError);
    expect(run).toThrow(message);
  });

  it("returns the estimate when within budget", () => {
    expect(validateTrainingConfig(config(5, 128), budgets, summary, { examples: 48_000, gflops: 24 })).toBeCloseTo(12.2, 1);
    expect(validateTrainingConfig(config(5, 128), budgets, summary)).toBeUndefined();
  });
});

describe("estimates", () => {
  let tf: Tf;
  beforeAll(async () => {
    ({ tf } = await initBackend());
  });

  it("counts 3 × forward multiply-adds per example", () => {
    expect(summary.trainingFlopsPerExample).toBe(3 * (784 * 512 + 512 * 10));
    expect(estimateTrainingSeconds(summary, { examples: 1e6, epochs: 1, gflops: 1 })).toBeCloseTo((3 * (784 * 512 + 5120) * 1e6) / 1e9);
  });

  it("calibrates the backend to a plausible throughput without leaking tensors", async () => {
    const before = tf.memory().numTensors;
    const gflops = await calibrate(tf, { minMs: 100 });
    expect(gflops).toBeGreaterThan(0.5);
    expect(gflops).toBeLessThan(1000);
    expect(tf.memory().numTensors).toBe(before);
  });
});
