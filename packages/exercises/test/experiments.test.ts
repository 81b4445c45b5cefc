/**
 * Debugging experiments on real models and real MNIST slices: every outcome of every experiment
 * triggered by a model that should trigger it (see experiment-models.ts for what each one breaks).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { getExercise } from "../src";
import { ExperimentResult, OUTCOMES, runExperiment, type ExperimentName } from "../src/experiments";
import { cacheDir, models, type ModelName } from "./experiment-models";

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend();
});

const run = (name: ExperimentName, model: ModelName) =>
  runExperiment(name, getExercise("mnist-beat-baseline"), models[model], { tf: backend.tf, cacheDir, trainLimit: 1_000, sweepSteps: 80 });

// Each experiment on each model runs once for the tests that only read its result (the outcome table
// and the evidence charts read the same runs); the seeding test runs its experiment once more itself.
const results = new Map<string, Promise<ExperimentResult>>();
const ranOnce = (name: ExperimentName, model: ModelName): Promise<ExperimentResult> => {
  const key = `${name}/${model}`;
  let result = results.get(key);
  if (!result) results.set(key, (result = run(name, model)));
  return result;
};

describe("debugging experiments on MNIST", () => {
  it.each([
    ["tiny-subset", "reference", "fits"],
    ["tiny-subset", "frozen", "cannot-fit"],
    ["label-as-input", "reference", "pipeline-ok"],
    ["label-as-input", "frozen", "pipeline-broken"],
    ["shuffled-labels", "reference", "no-leak"],
    ["one-feature", "reference", "signal-reachable"],
    ["one-feature", "frozen", "no-signal"],
    ["data-shuffled", "reference", "mixed-batches"],
    ["output-histogram", "reference", "varied"],
    ["output-histogram", "dead", "constant"],
    ["output-histogram", "saturated", "saturated"],
    ["loss-per-batch", "reference", "decreasing"],
    ["loss-per-batch", "frozen", "flat"],
    ["loss-per-batch", "hot", "diverging"],
    ["lr-range-test", "reference", "lr-ok"],
    ["lr-range-test", "frozen", "lr-too-low"],
    ["lr-range-test", "hot", "lr-too-high"],
    ["lr-range-test", "dead", "no-minimum"],
  ] as [ExperimentName, ModelName, string][])("%s on the %s model → %s", async (name, model, outcome) => {
    const result = await ranOnce(name, model);
    expect(result.outcome, result.message).toBe(outcome);
    expect(result.healthy).toBe(outcome === OUTCOMES[name][0]);
    expect(result.message.length).toBeGreaterThan(40);
    if (!result.healthy) expect(result.hint).toBeTruthy();
    // What the grader stores and the web charts: the result survives JSON and its schema.
    expect(ExperimentResult.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it("reports the evidence a chart needs: per-batch losses, the sweep with its suggestion, the histograms", async () => {
    const losses = await ranOnce("loss-per-batch", "reference");
    if (losses.evidence.kind !== "batch-loss") throw new Error(`expected batch-loss evidence, got ${losses.evidence.kind}`);
    expect(losses.evidence.batches.length).toBeGreaterThanOrEqual(10);
    expect(losses.evidence.batches[0]?.loss).toBeGreaterThan(losses.evidence.batches.at(-1)?.loss ?? Number.POSITIVE_INFINITY);

    const sweep = await ranOnce("lr-range-test", "reference");
    if (sweep.evidence.kind !== "lr-range") throw new Error(`expected lr-range evidence, got ${sweep.evidence.kind}`);
    const { points, suggested, minimumAt, student, reference } = sweep.evidence;
    expect(points[0]?.learningRate).toBeCloseTo(1e-5, 10);
    expect(points.every((p, i) => i === 0 || p.learningRate > (points[i - 1]?.learningRate ?? 0))).toBe(true);
    expect(suggested).toBeCloseTo((minimumAt ?? 0) / 10, 12);
    expect(student).toBe(0.001);
    expect(reference).toEqual({ optimizer: "rmsprop", learningRate: 0.001 });

    const outputs = await ranOnce("output-histogram", "saturated");
    if (outputs.evidence.kind !== "outputs") throw new Error(`expected outputs evidence, got ${outputs.evidence.kind}`);
    expect(outputs.evidence.start.saturated).toBeGreaterThan(0.9);
    expect(outputs.evidence.start.histogram.counts.reduce((a, b) => a + b, 0)).toBe(250);
    expect(outputs.evidence.start.classCounts).toHaveLength(10);
  });

  it("is seeded: the same experiment twice gives the same numbers", async () => {
    // Two separate runs: the table's, and a new one.
    const first = await ranOnce("loss-per-batch", "reference");
    const second = await run("loss-per-batch", "reference");
    expect(second.evidence).toEqual(first.evidence);
    expect(second.message).toBe(first.message);
  });
});
