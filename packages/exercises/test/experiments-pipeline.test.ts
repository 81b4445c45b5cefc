/**
 * Experiments on data pipelines the built-in datasets never produce: a pipeline that leaks the
 * label into the input, training data ordered by class, and regression targets (synthetic rows
 * built here; also real IMDB reviews for the feature selection of one-feature).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { PreconditionError } from "@stepwise/core/contracts";
import { denseSet, limit, subset, type ExampleSet } from "@stepwise/core/datasets";
import { loadMnistSet } from "@stepwise/core/datasets/node";
import { parseModelSpec, withSeeds } from "@stepwise/core/model";
import { getExercise } from "../src";
import {
  ExperimentResult,
  runExperiment,
  runExperimentOn,
  withLabelAsInput,
  type ExperimentContext,
  type ExperimentName,
} from "../src/experiments";
import { prepareTraining, type PreparedTraining } from "../src/grading/prepare";
import { cacheDir, models, referenceOf, withCompile, withFitSettings } from "./experiment-models";

let backend: BackendInfo;
let mnist: ExampleSet;
beforeAll(async () => {
  backend = await initBackend();
  mnist = limit(loadMnistSet("train", { cacheDir }), 1_000, 11);
});

const SEED = 1234;
const mnistPrepared = (payload = models.reference) => prepareTraining(getExercise("mnist-beat-baseline"), payload, SEED);
const context = (prepared: PreparedTraining, train: ExampleSet, extra: Partial<ExperimentContext> = {}): ExperimentContext => ({
  tf: backend.tf,
  prepared,
  train,
  seed: SEED,
  sweepSteps: 60,
  ...extra,
});

/** The same examples, ordered by class: all 0s, then all 1s, … (a CSV sorted by its target, say). */
function orderedByClass(set: ExampleSet): ExampleSet {
  const labels = set.labels ?? new Int32Array(0);
  const order = Array.from({ length: set.n }, (_, i) => i).sort((a, b) => (labels[a] ?? 0) - (labels[b] ?? 0) || a - b);
  return subset(set, order);
}

/** The topology with its flat input widened by `extra` features. */
function widened(prepared: PreparedTraining, extra: number): PreparedTraining {
  const topology = structuredClone(prepared.topology) as { config: { layers: { config: Record<string, unknown> }[] } };
  const first = topology.config.layers[0];
  if (!first) throw new Error("no first layer");
  first.config.batch_input_shape = [null, 784 + extra];
  return { ...prepared, topology };
}

describe("shuffled labels on a leaking pipeline", () => {
  it("reports the leak when the pipeline writes the label into the input", async () => {
    // The label appended as one-hot features after the labels were shuffled: the model reads its answer.
    const leaking = (set: ExampleSet) => withLabelAsInput(set, 10);
    const result = await runExperimentOn("shuffled-labels", context(widened(mnistPrepared(), 10), mnist, { pipeline: leaking }));
    expect(result.outcome, result.message).toBe("leak");
    expect(result.healthy).toBe(false);
    expect(result.message).toMatch(/well above chance \(1\d\.\d%, always answering the most common class\)/);
    expect(result.hint).toMatch(/computed from the label/);
  });

  it("finds no leak in the same model without the leaking pipeline", async () => {
    const result = await runExperimentOn("shuffled-labels", context(mnistPrepared(), mnist));
    expect(result.outcome, result.message).toBe("no-leak");
  });
});

describe("is the data shuffled", () => {
  it.each([
    [false, "single-class-runs", false],
    [true, "mixed-batches", true],
  ] as const)("class-ordered training data with shuffle %s → %s", async (shuffle, outcome, healthy) => {
    const prepared = mnistPrepared(withFitSettings(models.reference, { shuffle, batchSize: 32 }));
    const result = await runExperimentOn("data-shuffled", context(prepared, orderedByClass(mnist)));
    expect(result.outcome, result.message).toBe(outcome);
    expect(result.healthy).toBe(healthy);
    if (result.evidence.kind !== "batches") throw new Error(`expected batches evidence, got ${result.evidence.kind}`);
    const { pipeline, raw, classes } = result.evidence;
    expect(classes).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(pipeline.counts).toHaveLength(10);
    expect(pipeline.counts.every((row) => row.reduce((a, b) => a + b, 0) === 32)).toBe(true);
    // The raw order is the sorted one either way; only the pipeline's shuffle mixes it.
    expect(raw.looksShuffled).toBe(false);
    expect(raw.longestRun).toBeGreaterThanOrEqual(60);
    expect(raw.singleClassBatches).toBeGreaterThanOrEqual(5);
    expect(pipeline.looksShuffled).toBe(shuffle);
    if (!shuffle) expect(result.message).toMatch(/shuffle is off/);
  });
});

/**
 * A regression task: y = scale · (2·x₀ − x₁ + 0.5·x₂) + offset + noise on five features in [0, 1],
 * seeded. With scale 300 and offset 1000 the targets dwarf what an untrained network outputs.
 */
function regressionRows(n: number, scale: number, offset: number): ExampleSet {
  let state = 42;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const inputs = new Float32Array(n * 5);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 5; j++) inputs[i * 5 + j] = next();
    const signal = 2 * (inputs[i * 5] ?? 0) - (inputs[i * 5 + 1] ?? 0) + 0.5 * (inputs[i * 5 + 2] ?? 0);
    labels[i] = scale * (signal + 0.05 * (next() - 0.5)) + offset;
  }
  return denseSet(inputs, 5, { labels, name: "synthetic regression rows" });
}

function regressionPrepared(learningRate = 0.01): PreparedTraining {
  const parsed = parseModelSpec({
    format: "tfjs",
    topology: {
      class_name: "Sequential",
      config: {
        layers: [
          { class_name: "Dense", config: { units: 16, activation: "relu", batch_input_shape: [null, 5] } },
          { class_name: "Dense", config: { units: 1 } },
        ],
      },
    },
  });
  return {
    dataset: { kind: "csv", file: "synthetic.csv", target: "y", task: "regression" },
    topology: withSeeds(parsed.topology, SEED),
    training: {
      compile: { optimizer: "adam", learningRate, loss: "meanSquaredError", metrics: [] },
      fit: { epochs: 20, batchSize: 32, validationSplit: 0.2, shuffle: true },
    },
    summary: parsed.summary,
    task: { kind: "regression", numClasses: 1 },
  };
}

describe("regression", () => {
  it.each([
    ["targets in the thousands", 300, 1000, "needs-normalizing", false],
    ["standardized targets", 1, 0, "scale-ok", true],
  ] as const)("label-scale: %s → %s", async (_name, scale, offset, outcome, healthy) => {
    const result = await runExperimentOn("label-scale", context(regressionPrepared(), regressionRows(600, scale, offset)));
    expect(result.outcome, result.message).toBe(outcome);
    expect(result.healthy).toBe(healthy);
    if (result.evidence.kind !== "label-scale") throw new Error(`expected label-scale evidence, got ${result.evidence.kind}`);
    // E[2·x₀ − x₁ + 0.5·x₂] = 0.75 for uniform features.
    expect(Math.abs(result.evidence.targets.mean - (scale * 0.75 + offset))).toBeLessThan(0.1 * scale);
    expect(result.evidence.targets.histogram.counts.reduce((a, b) => a + b, 0)).toBe(600);
    if (!healthy) expect(result.hint).toMatch(/subtract the mean/);
    expect(ExperimentResult.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it.each([
    ["one-feature", "signal-reachable", 0.01],
    ["loss-per-batch", "decreasing", 0.01],
    ["output-histogram", "varied", 0.01],
    ["loss-per-batch", "flat", 1e-7],
  ] as [ExperimentName, string, number][])("%s on standardized targets → %s (learning rate %s)", async (name, outcome, learningRate) => {
    const result = await runExperimentOn(name, context(regressionPrepared(learningRate), regressionRows(600, 1, 0)));
    expect(result.outcome, result.message).toBe(outcome);
  });

  it.each(["tiny-subset", "shuffled-labels", "label-as-input"] as ExperimentName[])(
    "%s refuses a regression task, naming what to run instead",
    async (name) => {
      const run = runExperimentOn(name, context(regressionPrepared(), regressionRows(100, 1, 0)));
      await expect(run).rejects.toBeInstanceOf(PreconditionError);
      await expect(run).rejects.toThrow(/regression task does not have; try loss-per-batch/);
    },
  );

  it("label-scale refuses a classification task", async () => {
    const run = runExperiment("label-scale", getExercise("mnist-beat-baseline"), models.reference, {
      tf: backend.tf,
      cacheDir,
      trainLimit: 100,
    });
    await expect(run).rejects.toBeInstanceOf(PreconditionError);
    await expect(run).rejects.toThrow(/regression task; this exercise is multiclass/);
  });
});

describe("one feature on IMDB reviews", () => {
  it.each([
    ["reference", referenceOf("imdb-beat-baseline"), "signal-reachable"],
    ["frozen", withCompile(referenceOf("imdb-beat-baseline"), { optimizer: "sgd", learningRate: 1e-7 }), "no-signal"],
  ] as const)("the %s model on the 10 most telling words → %s", async (_name, payload, outcome) => {
    const result = await runExperiment("one-feature", getExercise("imdb-beat-baseline"), payload, {
      tf: backend.tf,
      cacheDir,
      trainLimit: 1_000,
    });
    expect(result.outcome, result.message).toBe(outcome);
    if (result.evidence.kind !== "one-feature") throw new Error(`expected one-feature evidence, got ${result.evidence.kind}`);
    expect(result.evidence.features).toBe(10);
    expect(result.evidence.fullFeatures).toBe(10_000);
    expect(result.evidence.input).toMatch(/10 words/);
  });
});

describe("CSV exercises, encoded as the grader encodes them", () => {
  it("shuffled-labels on imbalanced credit data compares with the majority class, not 1 / classes", async () => {
    const result = await runExperiment("shuffled-labels", getExercise("credit-beat-baseline"), referenceOf("credit-beat-baseline"), {
      tf: backend.tf,
      cacheDir,
    });
    expect(result.outcome, result.message).toBe("no-leak");
    if (result.evidence.kind !== "curve") throw new Error(`expected curve evidence, got ${result.evidence.kind}`);
    expect(result.evidence.baseline).toBeGreaterThan(0.8);
  });

  it("label-scale on house prices: the grader's standardized targets, with their own unit named", async () => {
    const result = await runExperiment("label-scale", getExercise("houses-beat-baseline"), referenceOf("houses-beat-baseline"), {
      tf: backend.tf,
      cacheDir,
    });
    expect(result.outcome, result.message).toBe("scale-ok");
    expect(result.message).toMatch(/the grader standardized them from mean \S+ and standard deviation/);
    if (result.evidence.kind !== "label-scale") throw new Error(`expected label-scale evidence, got ${result.evidence.kind}`);
    expect(Math.abs(result.evidence.targets.mean)).toBeLessThan(0.2);
  });
});
