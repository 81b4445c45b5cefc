/**
 * "More data: learning curve" on real MNIST slices: a model whose validation accuracy still climbs
 * with the data, and one that has levelled off; the evidence the chart draws; what it costs; when a
 * step-7 verdict suggests it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import type { TrainingConfig } from "@stepwise/core/contracts";
import { getExercise } from "../src";
import {
  defaultTrainLimit,
  ExperimentResult,
  learningCurveWork,
  LEARNING_CURVE_WORK,
  runExperiment,
  suggestExperiments,
} from "../src/experiments";
import { prepareTraining } from "../src/grading";
import { cacheDir, models, referenceOf, type ModelName } from "./experiment-models";

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend();
});

const exercise = getExercise("mnist-beat-baseline");

describe("learning curve on MNIST", () => {
  it.each([
    ["reference", "more-data-helps"],
    ["narrow", "plateaued"],
  ] as [ModelName, string][])("the %s model → %s", async (model, outcome) => {
    const result = await runExperiment("learning-curve", exercise, models[model], { tf: backend.tf, cacheDir, trainLimit: 2_000 });
    expect(result.outcome, result.message).toBe(outcome);
    expect(result.healthy).toBe(outcome === "more-data-helps");
    expect(result.hint).toBeTruthy();
    if (result.evidence.kind !== "data-size") throw new Error(`expected data-size evidence, got ${result.evidence.kind}`);
    const { points, validationExamples, metric } = result.evidence;
    expect(metric).toBe("accuracy");
    // 2,000 examples: 400 held out for validation, the same for every size; 1,600 to train on, nested shares of them.
    expect(validationExamples).toBe(400);
    expect(points.map((p) => [p.fraction, p.examples])).toEqual([
      [0.1, 160],
      [0.25, 400],
      [0.5, 800],
      [1, 1600],
    ]);
    const values = points.map((p) => p.valMetric ?? Number.NaN);
    if (outcome === "more-data-helps") {
      // Every size does better than the one before, and the gap to training accuracy narrows.
      values.slice(1).forEach((v, i) => expect(v).toBeGreaterThan(values[i] ?? 1));
      const gaps = points.map((p) => (p.trainMetric ?? 0) - (p.valMetric ?? 0));
      expect(gaps.at(-1)).toBeLessThan(gaps[0] ?? 0);
      expect(result.message).toMatch(/more training data would very likely help/);
    } else {
      expect(Math.max(...values)).toBeLessThan(0.5);
      expect(result.message).toMatch(/levelled off/);
    }
    expect(result.message).toMatch(/with 1,600 training examples \(400 validation examples each\)/);
    expect(ExperimentResult.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });
});

describe("its cost", () => {
  const training = (epochs: number, batchSize = 128): TrainingConfig => ({
    compile: { optimizer: "rmsprop", learningRate: 0.001, loss: "categoricalCrossentropy", metrics: ["accuracy"] },
    fit: { epochs, batchSize, validationSplit: 0.2, shuffle: true },
  });

  it("counts four models of at least 300 steps each, validated every epoch", () => {
    // 1,600 to train on, 400 to validate: 300 steps each → 150, 75, 43 and 24 epochs of 160, 400, 800 and 1,600 examples.
    const expected = 150 * (160 + 400 / 3) + 75 * (400 + 400 / 3) + 43 * (800 + 400 / 3) + 24 * (1600 + 400 / 3);
    expect(learningCurveWork(training(3), 2_000)).toBeCloseTo(expected, 6);
    // More epochs than 300 steps: every model takes the student's steps on all the data (13 × 40 = 520).
    expect(learningCurveWork(training(40), 2_000)).toBeGreaterThan(learningCurveWork(training(3), 2_000) * 1.5);
  });

  it.each([
    ["the small reference MLP", "mnist-beat-baseline", referenceOf("mnist-beat-baseline"), 8_000],
    ["the 512-512 step-6 model", "mnist-overfit", referenceOf("mnist-overfit"), undefined],
  ] as const)("takes as many examples as %s can afford, between 2,000 and 8,000", (_what, id, payload, expected) => {
    const prepared = prepareTraining(getExercise(id), payload, 1);
    const limit = defaultTrainLimit("learning-curve", prepared);
    if (expected !== undefined) expect(limit).toBe(expected);
    expect(limit).toBeGreaterThanOrEqual(2_000);
    expect(limit).toBeLessThanOrEqual(8_000);
    if (limit > 2_000)
      expect(learningCurveWork(prepared.training, limit) * prepared.summary.trainingFlopsPerExample).toBeLessThanOrEqual(
        LEARNING_CURVE_WORK,
      );
    if (limit < 8_000)
      expect(learningCurveWork(prepared.training, limit + 200) * prepared.summary.trainingFlopsPerExample).toBeGreaterThan(
        LEARNING_CURVE_WORK,
      );
  });
});

describe("suggested from step 7", () => {
  const verdict = (gap: number, narrowed: boolean) => ({
    status: "passed" as const,
    diagnostics: [],
    checks: [{ id: "smaller-gap", passed: narrowed, message: "", visibility: "always" as const }],
    metrics: { testAccuracy: { label: "Test accuracy", value: 0.9 }, gapAfter: { label: "gap", value: gap } },
  });
  const names = (v: ReturnType<typeof verdict>, step: number) =>
    suggestExperiments(v, { task: "multiclass", step }).map((s) => s.experiment);

  it.each([
    [0.08, true, 7, true],
    [0.02, false, 7, true],
    [0.02, true, 7, false],
    [0.08, true, 6, false],
  ])("gap %d, narrowed %s, step %d → learning curve suggested: %s", (gap, narrowed, step, suggested) => {
    expect(names(verdict(gap, narrowed), step).includes("learning-curve")).toBe(suggested);
  });

  it("says why", () => {
    const [suggestion] = suggestExperiments(verdict(0.082, true), { task: "multiclass", step: 7 });
    expect(suggestion?.reasons).toEqual(["the train/validation gap is still large (8.2 points)"]);
  });
});
