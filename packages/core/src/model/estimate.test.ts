import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type Tf } from "../backend";
import { BudgetError } from "../contracts/errors";
import type { TrainingConfig } from "../contracts/training";
import { calibrate, epochSeconds, estimateTrainingSeconds, fitThroughput, validateTrainingConfig, type ThroughputSample } from "./estimate";
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

  it("times the products with the clock it is given (the grader's child passes its CPU time)", async () => {
    // A clock that moves 10 ms at every read: start 0, the loop reads 10 (< 25: one product) and 20
    // (another), 30 (stop), and the elapsed time is read at 40 ms: two products in 0.04 s.
    let ms = -10;
    const gflops = await calibrate(tf, { minMs: 25, now: () => (ms += 10) });
    expect(gflops).toBeCloseTo((2 * 128 * 784 * 512) / 0.04 / 1e9, 9);
  });
});

describe("the measured training speed: a cost per step and a throughput on products", () => {
  // The MNIST step-7 reference (784-512-512-10) and a small model, as a tuning trial trains them.
  const large = 3 * (784 * 512 + 512 * 512 + 512 * 10);
  const small = 3 * (784 * 16 + 16 * 10);
  const trial = { train: 48_000, evaluate: 12_000, batchSize: 128 };
  const speed = { gflops: 30, stepSeconds: 0.002 };

  it("costs an epoch as its steps plus its multiply-adds (validation at a third) over the throughput", () => {
    // 375 steps of 2 ms, and 2,006,016 × (48,000 + 12,000 / 3) multiply-adds at 30 G/s.
    expect(epochSeconds(large, trial, speed)).toBeCloseTo(0.75 + (2_006_016 * 52_000) / 30e9, 9);
    expect(epochSeconds(large, trial, speed)).toBeCloseTo(4.227094, 6);
    // The small model's epoch is mostly its steps: 0.75 s of 0.8161 s.
    expect(epochSeconds(small, trial, speed)).toBeCloseTo(0.75 + (38_112 * 52_000) / 30e9, 9);
    // Predicting only (the final model's test inputs): no training step.
    expect(epochSeconds(large, { train: 0, evaluate: 10_000, batchSize: 128 }, speed)).toBeCloseTo((2_006_016 * 10_000) / 3 / 30e9, 9);
  });

  const sample = (flops: number, work: ThroughputSample["work"], seconds: number): ThroughputSample => ({
    trainingFlopsPerExample: flops,
    work,
    seconds,
  });

  it.each([
    ["the same batch size", { ...trial, batchSize: 128 }, { ...trial, batchSize: 128 }],
    [
      "different batch sizes and sizes of set",
      { train: 4_800, evaluate: 1_200, batchSize: 32 },
      { train: 2_400, evaluate: 600, batchSize: 128 },
    ],
  ])("recovers the step cost and throughput from two timed epochs (%s)", (_case, smallWork, largeWork) => {
    const fitted = fitThroughput(
      sample(small, smallWork, epochSeconds(small, smallWork, speed)),
      sample(large, largeWork, epochSeconds(large, largeWork, speed)),
    );
    expect(fitted.gflops).toBeCloseTo(30, 9);
    expect(fitted.stepSeconds).toBeCloseTo(0.002, 12);
  });

  it("fits epochs timed on the 2-core dev VM (wasm+OpenBLAS): ~2.6 ms a step, ~34 G/s on products", () => {
    // CPU seconds of the fastest later epoch of 784-32-10 and 784-512-512-10 on 6,000 random examples, batch 128, a fifth validated.
    const small32 = 3 * (784 * 32 + 32 * 10);
    const work = { train: 4_800, evaluate: 1_200, batchSize: 128 };
    const fitted = fitThroughput(sample(small32, work, 0.112), sample(large, work, 0.405));
    // 38 steps each: the 0.293 s between them buys the difference in multiply-adds; what is left of the small one is steps.
    expect(fitted.gflops).toBeCloseTo(((large - small32) * 5_200) / 0.293 / 1e9, 6);
    expect(fitted.gflops).toBeCloseTo(34.25, 2);
    expect(fitted.stepSeconds).toBeCloseTo((0.112 - (small32 * 5_200) / (fitted.gflops * 1e9)) / 38, 9);
    expect(fitted.stepSeconds * 1000).toBeCloseTo(2.643, 3);
  });

  it("puts timing noise that would make the step cost negative on the throughput: no step cost, the large model's rate", () => {
    const work = { train: 4_800, evaluate: 1_200, batchSize: 128 };
    // The small model timed as if it had no steps at all (faster than its products allow at the large model's rate).
    const fitted = fitThroughput(sample(small, work, 0.001), sample(large, work, 0.4));
    expect(fitted).toEqual({ gflops: (large * 5_200) / 0.4 / 1e9, stepSeconds: 0 });
  });
});
