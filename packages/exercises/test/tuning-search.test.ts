/**
 * Tuning without training: the declared search's schema, grid and random expansion, applying a
 * trial to the student's model (units, layers, dropout, learning rate), re-validation against the
 * exercise's budgets, and every refusal with the message it gives.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SubmissionPayload, ValidationError } from "@stepwise/core/contracts";
import { parseModelSpec } from "@stepwise/core/model";
import { getExercise } from "../src";
import {
  applyTrial,
  checkTuning,
  estimateTuningSeconds,
  expandSearch,
  prepareTrials,
  scoreTrial,
  TuningResult,
  TuningSearch,
  type TrialValues,
} from "../src/tuning";
const exercise = getExercise("mnist-regularize");
// A small step-7 model of known shape (784-64-Dropout(0.5)-10, L2 on the hidden layer): the tests
// below spell out its layers, so it is a fixture here, not the exercise's reference solution.
const student = SubmissionPayload.parse(
  JSON.parse(readFileSync(fileURLToPath(new URL("./fixtures/mnist-step7-small.json", import.meta.url)), "utf8")),
);
const search = (s: Partial<TuningSearch> & Pick<TuningSearch, "space">): TuningSearch =>
  TuningSearch.parse({ strategy: "grid", trials: 8, ...s });

type Layer = { class_name: string; config: Record<string, unknown> };
const layersOf = (values: TrialValues, payload: SubmissionPayload = student): Layer[] => {
  if (!payload.model || !payload.training) throw new Error("the fixture has a model and training settings");
  const { model } = applyTrial(payload.model, payload.training, values);
  return (parseModelSpec(model).topology.config as { layers: Layer[] }).layers;
};
const shapeOf = (layers: Layer[]) =>
  layers.map((l) =>
    l.class_name === "Dense"
      ? `Dense(${String(l.config.units)})`
      : l.class_name === "Dropout"
        ? `Dropout(${String(l.config.rate)})`
        : l.class_name,
  );

/** The fixture with two hidden blocks, one of them without Dropout, and a BatchNormalization. */
const deeper: SubmissionPayload = (() => {
  const copy = structuredClone(student);
  const layers = (copy.model?.topology as { config: { layers: Layer[] } }).config.layers;
  const [first, dropout, output] = layers;
  if (!first || !dropout || !output) throw new Error("the fixture has three layers");
  const second: Layer = { class_name: "Dense", config: { units: 32, activation: "relu" } };
  const norm: Layer = { class_name: "BatchNormalization", config: {} };
  (copy.model?.topology as { config: { layers: Layer[] } }).config.layers = [first, dropout, second, norm, output];
  return copy;
})();

describe("the search schema", () => {
  it.each([
    [{ strategy: "grid", trials: 4, space: {} }, "search at least one of learningRate, units, layers, dropout"],
    [{ strategy: "grid", trials: 0, space: { units: [8] } }, "expected number to be >=1"],
    [{ strategy: "grid", trials: 4, space: { units: [8, 8] } }, "values must not repeat"],
    [{ strategy: "grid", trials: 4, space: { units: [0] } }, "expected number to be >=1"],
    [{ strategy: "grid", trials: 4, space: { dropout: [0.95] } }, "expected number to be <=0.9"],
    [{ strategy: "grid", trials: 4, space: { learningRate: [0] } }, "a learning rate must be > 0"],
    [{ strategy: "random", trials: 4, space: { learningRate: { min: 0.1, max: 0.01, scale: "log" } } }, "min must be smaller than max"],
    [{ strategy: "grid", trials: 4, space: { units: [8] }, extra: 1 }, 'Unrecognized key: "extra"'],
    [{ strategy: "bayes", trials: 4, space: { units: [8] } }, 'expected one of "grid"|"random"'],
  ])("refuses %j: %s", (input, message) => {
    const parsed = TuningSearch.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join("; ")).toContain(message);
  });
});

describe("expanding a search into trials", () => {
  it("a grid is the cartesian product, learning rate varying slowest", () => {
    const trials = expandSearch(search({ space: { learningRate: [0.001, 0.01], units: [16, 32], dropout: [0.2] } }), {
      maxTrials: 8,
      seed: 1,
    });
    expect(trials).toEqual([
      { learningRate: 0.001, units: 16, dropout: 0.2 },
      { learningRate: 0.001, units: 32, dropout: 0.2 },
      { learningRate: 0.01, units: 16, dropout: 0.2 },
      { learningRate: 0.01, units: 32, dropout: 0.2 },
    ]);
  });

  it.each([
    [
      search({ trials: 4, space: { units: [8, 16, 32], layers: [1, 2] } }),
      8,
      "The grid has 3 units × 2 layers = 6 combinations, more than the 4 trials of this search (the assignment allows up to 8)",
      "space",
    ],
    [
      search({ trials: 8, space: { units: [8, 16, 32], layers: [1, 2, 3] } }),
      8,
      "3 units × 3 layers = 9 combinations, more than the 8 trials of this search (the assignment's limit)",
      "space",
    ],
    [search({ trials: 12, space: { units: [8] } }), 8, "This assignment allows at most 8 trials per search, got 12.", "trials"],
    [
      search({ space: { learningRate: { min: 1e-4, max: 1e-2, scale: "log" } } }),
      8,
      "A grid needs a list of learning rates",
      "space.learningRate",
    ],
  ])("refuses %#: %s", (s, maxTrials, message, path) => {
    let error: unknown;
    try {
      expandSearch(s, { maxTrials, seed: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain(message);
    expect((error as ValidationError).path).toBe(path);
  });

  it("random search draws seeded, distinct trials within the space, log-uniform over a learning-rate range", () => {
    const s = search({
      strategy: "random",
      trials: 6,
      seed: 7,
      space: { learningRate: { min: 1e-4, max: 1e-1, scale: "log" }, units: [16, 32, 64] },
    });
    const trials = expandSearch(s, { maxTrials: 8, seed: 1 });
    expect(trials).toHaveLength(6);
    expect(expandSearch(s, { maxTrials: 8, seed: 1 })).toEqual(trials);
    expect(expandSearch({ ...s, seed: 8 }, { maxTrials: 8, seed: 1 })).not.toEqual(trials);
    expect(new Set(trials.map((t) => JSON.stringify(t))).size).toBe(6);
    for (const t of trials) {
      expect(t.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(t.learningRate).toBeLessThanOrEqual(1e-1);
      expect([16, 32, 64]).toContain(t.units);
    }
    // Log-uniform: of many draws, about a third fall in each decade of [1e-4, 1e-1].
    const many = expandSearch(
      search({ strategy: "random", trials: 50, seed: 3, space: { learningRate: { min: 1e-4, max: 1e-1, scale: "log" } } }),
      { maxTrials: 50, seed: 1 },
    );
    const low = many.filter((t) => (t.learningRate ?? 0) < 1e-3).length;
    expect(low).toBeGreaterThan(8);
    expect(low).toBeLessThan(28);
  });

  it("random search over a space smaller than its trials runs every combination once, in a seeded order", () => {
    const trials = expandSearch(search({ strategy: "random", trials: 8, space: { units: [16, 32], dropout: [0.1, 0.3] } }), {
      maxTrials: 8,
      seed: 5,
    });
    expect(trials).toHaveLength(4);
    expect(new Set(trials.map((t) => `${t.units}/${t.dropout}`))).toEqual(new Set(["16/0.1", "16/0.3", "32/0.1", "32/0.3"]));
  });
});

describe("applying a trial to the student's model", () => {
  it.each([
    [
      "units set every hidden Dense layer, never the output",
      { units: 128 },
      deeper,
      ["Dense(128)", "Dropout(0.5)", "Dense(128)", "BatchNormalization", "Dense(10)"],
    ],
    ["dropout sets every Dropout rate", { dropout: 0.2 }, student, ["Dense(64)", "Dropout(0.2)", "Dense(10)"]],
    [
      "layers repeats the last hidden block",
      { layers: 3 },
      student,
      ["Dense(64)", "Dropout(0.5)", "Dense(64)", "Dropout(0.5)", "Dense(64)", "Dropout(0.5)", "Dense(10)"],
    ],
    ["layers trims the last hidden blocks", { layers: 1 }, deeper, ["Dense(64)", "Dropout(0.5)", "Dense(10)"]],
    [
      "layers then units: repeated blocks get the units too",
      { layers: 2, units: 16, dropout: 0.1 },
      student,
      ["Dense(16)", "Dropout(0.1)", "Dense(16)", "Dropout(0.1)", "Dense(10)"],
    ],
    [
      "the same number of layers keeps the model",
      { layers: 2 },
      deeper,
      ["Dense(64)", "Dropout(0.5)", "Dense(32)", "BatchNormalization", "Dense(10)"],
    ],
  ] as [string, TrialValues, SubmissionPayload, string[]][])("%s", (_name, values, payload, expected) => {
    const layers = layersOf(values, payload);
    expect(shapeOf(layers)).toEqual(expected);
    // Only the first layer declares the input; every name is unique.
    expect(layers.filter((l) => l.config.batch_input_shape !== undefined)).toHaveLength(1);
    expect(new Set(layers.map((l) => l.config.name)).size).toBe(layers.length);
  });

  it("a learning rate changes the compile settings only", () => {
    if (!student.model || !student.training) throw new Error("the fixture has a model and training settings");
    const { training, model } = applyTrial(student.model, student.training, { learningRate: 0.01 });
    expect(training).toEqual({ ...student.training, compile: { ...student.training.compile, learningRate: 0.01 } });
    expect(shapeOf((parseModelSpec(model).topology.config as { layers: Layer[] }).layers)).toEqual([
      "Dense(64)",
      "Dropout(0.5)",
      "Dense(10)",
    ]);
  });

  it("a repeated block trains: the variant parses with more parameters and distinct seeded initializers", () => {
    const [trial] = prepareTrials(exercise, student, [{ layers: 2 }]);
    if (!trial || !("prepared" in trial)) throw new Error(`expected a prepared trial, got ${JSON.stringify(trial)}`);
    // 784·64+64 + (64·64+64) + 64·10+10
    expect(trial.prepared.summary.totalParams).toBe(50_240 + 4_160 + 650);
  });

  it("skips a variant over the exercise's budgets with the reason, and prepares the others", () => {
    const small = { ...exercise, budgets: { ...exercise.budgets, maxParams: 60_000 } };
    const trials = prepareTrials(small, student, [{ units: 32 }, { units: 512 }]);
    expect("prepared" in (trials[0] ?? {})).toBe(true);
    expect(trials[1]).toMatchObject({ values: { units: 512 }, skipped: expect.stringMatching(/parameters.*at most 60,000/) as unknown });
  });

  const withoutDropout: SubmissionPayload = (() => {
    const copy = structuredClone(student);
    const topology = copy.model?.topology as { config: { layers: Layer[] } };
    topology.config.layers = topology.config.layers.filter((l) => l.class_name !== "Dropout");
    return copy;
  })();
  const noHidden: SubmissionPayload = (() => {
    const copy = structuredClone(withoutDropout);
    const topology = copy.model?.topology as { config: { layers: Layer[] } };
    topology.config.layers = topology.config.layers
      .slice(1)
      .map((l) => ({ ...l, config: { ...l.config, batch_input_shape: [null, 784] } }));
    return copy;
  })();
  const withFlatSplit = (payload: SubmissionPayload, validationSplit: number): SubmissionPayload =>
    payload.training ? { ...payload, training: { ...payload.training, fit: { ...payload.training.fit, validationSplit } } } : payload;

  it.each([
    [
      "dropout on a model without Dropout",
      withoutDropout,
      { dropout: [0.1, 0.2] },
      "Searching dropout sets the rate of every Dropout layer; this model has none",
      "space.dropout",
    ],
    [
      "units on a model without a hidden layer",
      noHidden,
      { units: [8, 16] },
      "Searching units needs a hidden Dense layer before the output layer; this model has only its output Dense layer",
      "space.units",
    ],
    [
      "layers on a model without a hidden layer",
      noHidden,
      { layers: [1, 2] },
      "Searching layers needs a hidden Dense layer",
      "space.layers",
    ],
    [
      "any search without a validation split",
      withFlatSplit(student, 0),
      { units: [8] },
      "Tuning selects on a validation split",
      "training.fit.validationSplit",
    ],
  ] as [string, SubmissionPayload, TuningSearch["space"], string, string][])(
    "refuses %s before anything trains",
    (_name, payload, space, message, path) => {
      let error: unknown;
      try {
        checkTuning(exercise, payload, search({ trials: 4, space }), 8);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toContain(message);
      expect((error as ValidationError).path).toBe(path);
    },
  );

  it("refuses an exercise that is not step 7", () => {
    expect(() =>
      checkTuning(getExercise("mnist-overfit"), { ...student, exerciseId: "mnist-overfit" }, search({ space: { units: [8] } }), 8),
    ).toThrow('Tuning runs on step 7 (regularize and tune); "mnist-overfit" is step 6.');
  });
});

describe("scoring and estimating", () => {
  it.each([
    [
      "classification: the epoch of best validation accuracy, earliest on ties; NaN never wins",
      "multiclass",
      [
        { epoch: 1, loss: 1, accuracy: 0.5, valAccuracy: 0.4, seconds: 1 },
        { epoch: 2, loss: 0.5, accuracy: 0.9, valAccuracy: 0.8, seconds: 1 },
        { epoch: 3, loss: 0.3, accuracy: 0.95, valAccuracy: 0.8, seconds: 1 },
        { epoch: 4, loss: Number.NaN, accuracy: 0.1, valAccuracy: Number.NaN, seconds: 1 },
      ],
      { validation: 0.8, training: 0.9, bestEpoch: 2, gap: 0.9 - 0.8 },
    ],
    [
      "regression: the epoch of lowest validation loss; the gap is validation − training loss",
      "regression",
      [
        { epoch: 1, loss: 2, valLoss: 3, seconds: 1 },
        { epoch: 2, loss: 1, valLoss: 1.5, seconds: 1 },
        { epoch: 3, loss: 0.5, valLoss: 1.8, seconds: 1 },
      ],
      { validation: 1.5, training: 1, bestEpoch: 2, gap: 0.5 },
    ],
    [
      "no validation metric at all",
      "binary",
      [{ epoch: 1, loss: 1, seconds: 1 }],
      { validation: null, training: null, bestEpoch: null, gap: null },
    ],
  ] as const)("%s", (_name, kind, history, expected) => {
    const score = scoreTrial(history, { kind });
    expect(score).toEqual({ ...expected, gap: expected.gap === null ? null : (expect.closeTo(expected.gap, 10) as unknown) });
  });

  it("charges every trial that will train plus the final training, and grows with the trials", () => {
    const options = { gflops: 8, maxTrials: 8, overheadSeconds: 3 };
    const one = estimateTuningSeconds(exercise, student, search({ trials: 1, space: { units: [64] } }), options);
    const four = estimateTuningSeconds(exercise, student, search({ trials: 4, space: { units: [16, 32, 64, 128] } }), options);
    expect(one).toBeGreaterThan(2 * options.overheadSeconds);
    expect(four).toBeGreaterThan(one * 2);
  });

  it("a result survives JSON: NaN is null, and the schema holds", () => {
    const result: TuningResult = {
      experiment: "tune",
      search: search({ space: { units: [8] } }),
      metric: { name: "accuracy", higherIsBetter: true, split: "validation" },
      trials: [
        {
          index: 1,
          values: { units: 8 },
          status: "stopped",
          reason: "diverged",
          validation: null,
          training: null,
          bestEpoch: null,
          gap: null,
          seconds: 1,
          history: [{ epoch: 1, loss: null, seconds: 1 }],
        },
      ],
      selected: null,
      final: { status: "not_run", reason: "No trial finished with a validation score." },
      backend: "cpu",
      seeds: { training: 1, split: 1, search: 1 },
      trainExamples: 100,
      durationMs: 5,
    };
    expect(TuningResult.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });
});
