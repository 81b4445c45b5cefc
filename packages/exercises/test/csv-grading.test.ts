/**
 * CSV datasets on the grader's path: encoding with training statistics, what a training child
 * receives (never test labels), the regression baseline test, K-fold for real, and the checks made
 * before training (input width, K-fold budget).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BudgetError, type EpochMetrics, SubmissionPayload, ValidationError } from "@stepwise/core/contracts";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { parseCsv } from "@stepwise/core/datasets";
import type { JsonObject } from "@stepwise/core/model";
import { getExercise, HOUSE_COLUMNS, withOverrides } from "../src";
import { builtInDataDir } from "../src/answers";
import {
  checkBeatsMeanBaseline,
  CsvTrainingData,
  csvGrading,
  gradeLocally,
  gradingFacts,
  loadGradingData,
  meanHistory,
  prepareTraining,
  trainAndPredict,
} from "../src/grading";
import { solutions } from "../src/solutions";
import { housePricesCsv, housePricesFile } from "../data/generate-house-prices";

const creditText = readFileSync(join(builtInDataDir, "credit-default.csv"), "utf8");
const housesText = readFileSync(join(builtInDataDir, "house-prices.csv"), "utf8");
const credit = { kind: "csv", file: "credit-default.csv", target: "default", task: "binary" } as const;
const houses = { kind: "csv", file: "house-prices.csv", target: "price", task: "regression" } as const;

describe("the house-price table", () => {
  it("is what its generator writes, its columns are the step 1 targets, and its prices need scaling", () => {
    expect(readFileSync(housePricesFile, "utf8")).toBe(housePricesCsv());
    const table = parseCsv(housesText, { target: "price", task: "regression" });
    expect(table.header).toEqual([...HOUSE_COLUMNS]);
    expect(table.n).toBe(2_500);
    const prices = [...table.labels];
    expect(Math.min(...prices)).toBeGreaterThan(10_000);
    expect(Math.max(...prices)).toBeGreaterThan(1_000_000);
  });
});

describe("a built-in table's test split is its own", () => {
  it.each([42, 7, 2024])("an assignment seed of %i holds back the very rows the default seed does, and trains on the rest", (seed) => {
    const base = csvGrading(creditText, credit, { seed: 1337, slice: {} });
    const other = csvGrading(creditText, credit, { seed, slice: {} });
    expect(Array.from(other.testLabels)).toEqual(Array.from(base.testLabels));
    expect(Buffer.from(other.training.testInputs.buffer).equals(Buffer.from(base.training.testInputs.buffer))).toBe(true);
    expect(Buffer.from(other.training.trainInputs.buffer).equals(Buffer.from(base.training.trainInputs.buffer))).toBe(true);
    // The seed still draws the training slice.
    const a = csvGrading(creditText, credit, { seed: 1337, slice: { trainLimit: 300 } });
    const b = csvGrading(creditText, credit, { seed, slice: { trainLimit: 300 } });
    expect(Buffer.from(a.training.trainInputs.buffer).equals(Buffer.from(b.training.trainInputs.buffer))).toBe(false);
  });
});

describe("csvGrading: what the grader trains on", () => {
  const graded = csvGrading(housesText, houses, { seed: 1337, slice: {} });

  it("holds back the same seeded 20% test split as steps 1–4, and hands the child test inputs only", () => {
    expect(graded.facts).toMatchObject({ trainSize: 2_000, testSize: 500, inputSize: 19 });
    expect(graded.testLabels).toHaveLength(500);
    expect(graded.training.testInputs).toHaveLength(500 * 19);
    // The child's payload is exactly these keys: training rows with labels, test inputs, the target scale.
    expect(Object.keys(graded.training).sort()).toEqual(["inputSize", "targetScale", "testInputs", "trainInputs", "trainLabels"]);
    expect(CsvTrainingData.safeParse(graded.training).success).toBe(true);
    // No test price hides in what the child gets: every training label, unscaled, is a training price.
    const scale = graded.training.targetScale;
    if (!scale) throw new Error("a regression target is scaled");
    const trainPrices = new Set([...graded.training.trainLabels].map((z) => Math.round(z * scale.std + scale.mean)));
    expect(trainPrices.size).toBeGreaterThan(100);
    expect(graded.training.trainLabels).toHaveLength(2_000);
  });

  it("standardizes features and the target with training statistics: training columns have mean 0 and std 1", () => {
    const { trainInputs, trainLabels, inputSize } = graded.training;
    const column = (c: number) => Array.from({ length: 2_000 }, (_, r) => trainInputs[r * inputSize + c] ?? Number.NaN);
    for (const values of [column(0), column(2), [...trainLabels]]) {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
      expect(mean).toBeCloseTo(0, 4);
      expect(variance).toBeCloseTo(1, 3);
    }
    // The test rows use the same statistics (they are not re-standardized on themselves).
    const testArea = Array.from({ length: 500 }, (_, r) => graded.training.testInputs[r * inputSize] ?? 0);
    expect(Math.abs(testArea.reduce((a, b) => a + b, 0) / 500)).toBeGreaterThan(1e-4);
  });

  it("names the encoding, so an input-shape error can say what fits", () => {
    expect(graded.facts.encoding).toBe("6 numeric columns (standardized) and 13 one-hot columns for type, neighbourhood, condition");
  });

  it("slices train and test rows with the seed, as MNIST and IMDB are sliced in CI", () => {
    const small = csvGrading(housesText, houses, { seed: 1337, slice: { trainLimit: 300, testLimit: 100 } });
    expect(small.facts).toMatchObject({ trainSize: 300, testSize: 100 });
    expect(small.training.trainInputs).toHaveLength(300 * 19);
  });

  it("classification keeps class indices and class names; binary reports the training balance", () => {
    const c = csvGrading(creditText, credit, { seed: 1337, slice: {} });
    expect(c.task).toEqual({ kind: "binary", numClasses: 1 });
    expect(c.training.targetScale).toBeUndefined();
    expect(c.testLabels).toBeInstanceOf(Int32Array);
    expect(c.facts.classes).toEqual(["0", "1"]);
    expect(c.facts.classBalance?.[1]).toBeCloseTo(0.078, 2);
  });

  it("loadGradingData needs the CSV's text, and gradingFacts carries the width and the training mean", () => {
    expect(() => loadGradingData(houses, { slice: {}, seed: 1 })).toThrow(/no content/);
    const data = loadGradingData(houses, { slice: {}, seed: 1337, csvText: housesText });
    const facts = gradingFacts(data, houses);
    expect(facts.prepare.csv).toMatchObject({ inputSize: 19, trainSize: 2_000, numClasses: 1 });
    expect(facts.score.trainMean).toBeCloseTo(graded.training.targetScale?.mean ?? 0, 6);
  });
});

describe("the regression baseline: a paired one-sided t test on absolute errors", () => {
  const labels = Float64Array.from({ length: 200 }, (_, i) => 100_000 + 1_000 * i);
  const mean = 199_500;

  it("a model that predicts the training mean does not beat it (p = 0.5)", () => {
    const result = checkBeatsMeanBaseline({ predictions: labels.map(() => mean), labels, trainMean: mean });
    expect(result.check.passed).toBe(false);
    expect(result.pValue).toBeCloseTo(0.5, 6);
    expect(result.mae.value).toBeCloseTo(result.baselineMae, 6);
  });

  it("a model that is closer on every row beats it with a tiny p, and the MAE interval holds the MAE", () => {
    const predictions = labels.map((y, i) => y + (i % 2 === 0 ? 5_000 : -5_000) + (i % 7) * 100);
    const result = checkBeatsMeanBaseline({ predictions, labels, trainMean: mean });
    expect(result.check.passed).toBe(true);
    expect(result.pValue).toBeLessThan(1e-10);
    expect(result.mae.interval?.lower).toBeLessThan(result.mae.value);
    expect(result.mae.interval?.upper).toBeGreaterThan(result.mae.value);
    expect(result.check.message).toMatch(
      /^Test MAE [45],\d{3} \(95% CI .*\) beats the baseline MAE 50,000 of always predicting the training mean \(199,500\)/,
    );
  });

  it("matches the t statistic computed by hand on a small example", () => {
    // |y − 10| = [2, 3, 5, 5], |y − ŷ| = [1, 1, 2, 3]: gains d = [1, 2, 3, 2], mean 2, sd √(2/3),
    // t = 2 / (√(2/3) / 2) ≈ 4.899 with 3 degrees of freedom.
    const result = checkBeatsMeanBaseline({ predictions: [13, 8, 17, 8], labels: [12, 7, 15, 5], trainMean: 10 });
    // Tables: t(0.99, 3) = 4.541 and t(0.995, 3) = 5.841, so the one-sided p lies between 0.005 and 0.01.
    expect(result.pValue).toBeGreaterThan(0.005);
    expect(result.pValue).toBeLessThan(0.01);
    expect(result.check.passed).toBe(true);
    // Gains [2, 0, 5, 5]: mean 3 but sd √6, t = 3 / (√6 / 2) ≈ 2.45 < t(0.99, 3): not convincing.
    expect(checkBeatsMeanBaseline({ predictions: [12, 10, 15, 5], labels: [12, 7, 15, 5], trainMean: 10 }).check.passed).toBe(false);
  });

  it("a model worse than the mean fails, with the needed p in the message", () => {
    const result = checkBeatsMeanBaseline({ predictions: labels.map((y) => y + 80_000), labels, trainMean: mean });
    expect(result.check.passed).toBe(false);
    expect(result.pValue).toBeGreaterThan(0.99);
    expect(result.check.message).toMatch(/needs p < 0\.01/);
  });
});

describe("before training: a CSV model's input width and the K-fold budget", () => {
  const exercise = getExercise("credit-beat-baseline");
  const reference = solutions["credit-beat-baseline"]?.reference as SubmissionPayload;
  const facts = gradingFacts(loadGradingData(credit, { slice: {}, seed: exercise.seed, csvText: creditText }), credit).prepare;

  it("accepts the encoded width and names the encoding when the width is wrong", () => {
    expect(prepareTraining(exercise, reference, 1, facts).task).toEqual({ kind: "binary", numClasses: 1 });
    // The same model with 12 inputs instead of 17.
    const wide = SubmissionPayload.parse(
      JSON.parse(JSON.stringify(reference).replace('"batch_input_shape":[null,17]', '"batch_input_shape":[null,12]')),
    );
    expect(() => prepareTraining(exercise, wide, 1)).not.toThrow();
    expect(() => prepareTraining(exercise, wide, 1, facts)).toThrow(ValidationError);
    expect(() => prepareTraining(exercise, wide, 1, facts)).toThrow(
      "fits no encoding of credit-default.csv; accepted: [17] — 6 numeric columns (standardized) and 11 one-hot columns for employment, housing, region",
    );
  });

  it("counts K-fold as K× the training of one run against maxSeconds, and says so", () => {
    const kfold = {
      ...reference,
      training: {
        ...reference.training,
        validation: { kind: "kfold" as const, folds: 5 },
        fit: { ...reference.training?.fit, epochs: 100, batchSize: 32, validationSplit: 0.2, shuffle: true },
      },
    } as SubmissionPayload;
    const holdout = { ...kfold, training: { ...kfold.training, validation: { kind: "holdout" as const } } } as SubmissionPayload;
    // A grader this slow fits one run in the budget, not five.
    const gflops = 0.001;
    expect(() => prepareTraining(exercise, holdout, 1, { ...facts, graderGflops: gflops })).not.toThrow();
    expect(() => prepareTraining(exercise, kfold, 1, { ...facts, graderGflops: gflops })).toThrow(BudgetError);
    expect(() => prepareTraining(exercise, kfold, 1, { ...facts, graderGflops: gflops })).toThrow(
      /K-fold with K = 5 trains 5 models on 4\/5 of the 1,600 training examples .* 5× the training of one run/,
    );
  });

  it.each([1, 11, 2.5])("the submission schema rejects K = %s (2–10 folds)", (folds) => {
    const parsed = SubmissionPayload.safeParse({ ...reference, training: { ...reference.training, validation: { kind: "kfold", folds } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["training", "validation", "folds"]);
  });
});

describe("meanHistory", () => {
  it("averages each epoch over the folds, and keeps the epochs every fold reached", () => {
    const row = (epoch: number, loss: number, valLoss: number): EpochMetrics => ({ epoch, loss, valLoss, seconds: 1 });
    expect(meanHistory([[row(1, 1, 2), row(2, 0.5, 1.5)], [row(1, 3, 4)]])).toEqual([{ epoch: 1, loss: 2, valLoss: 3, seconds: 1 }]);
  });
});

describe("K-fold for real, on the credit table (training split only)", () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await initBackend();
  });

  /** The credit reference under 3-fold validation for `epochs` epochs on the first `trainLimit` training rows, ready to train. */
  const kfoldCredit = (trainLimit: number, epochs: number) => {
    const exercise = getExercise("credit-beat-baseline");
    const reference = solutions["credit-beat-baseline"]?.reference;
    if (!reference?.training) throw new Error("no credit reference");
    const data = loadGradingData(credit, { slice: { trainLimit }, seed: exercise.seed, csvText: creditText });
    const prepared = prepareTraining(
      exercise,
      {
        ...reference,
        training: { ...reference.training, validation: { kind: "kfold", folds: 3 }, fit: { ...reference.training.fit, epochs } },
      },
      exercise.seed,
      gradingFacts(data, credit).prepare,
    );
    const train = (run: Pick<Parameters<typeof trainAndPredict>[1], "maxSeconds" | "onEpoch" | "now">) =>
      trainAndPredict(backend.tf, {
        topology: prepared.topology as JsonObject,
        training: prepared.training,
        dataset: prepared.dataset,
        slice: {},
        task: prepared.task,
        seed: exercise.seed,
        csv: data.csv?.training,
        backend: backend.backend,
        tfjsVersion: backend.tfjsVersion,
        ...run,
      });
    return { data, train };
  };

  it("trains K models on disjoint folds, reports each fold's accuracy, then the final model predicts the test inputs", async () => {
    const { data, train } = kfoldCredit(600, 4);
    const epochs: number[] = [];
    const result = await train({
      maxSeconds: 120,
      onEpoch: (metrics, total) => {
        expect(total).toBe(16);
        epochs.push(metrics.epoch);
      },
    });
    const kfold = result.report.kfold;
    expect(kfold?.metric).toBe("accuracy");
    expect(kfold?.folds.map((f) => f.fold)).toEqual([1, 2, 3]);
    // The folds partition the 600 training rows: 200 each, every row validated once.
    expect(kfold?.folds.map((f) => f.validationSize)).toEqual([200, 200, 200]);
    for (const fold of kfold?.folds ?? []) expect(fold.value).toBeGreaterThan(0.8);
    // Curves: the per-epoch mean over the folds, with validation; epochs streamed over all K + 1 trainings.
    expect(result.report.history).toHaveLength(4);
    expect(result.report.history.every((h) => h.valLoss !== undefined)).toBe(true);
    expect(epochs).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(result.predictions).toHaveLength(data.testLabels.length);
  });

  it("shares one time budget over all K + 1 trainings", async () => {
    const { train } = kfoldCredit(300, 2);
    // A clock that jumps 1 s per reading: the 3-second budget runs out inside the folds.
    let t = 0;
    const result = await train({
      maxSeconds: 3,
      now: () => (t += 1000),
    });
    expect(result.report.stopReason).toBe("budget");
    expect(result.predictions).toEqual([]);
  });
});

describe("a multiclass CSV target, end to end", () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await initBackend();
  });

  // The house table's `type` (apartment, house, townhouse) from the other columns, price included: 17 inputs.
  const exercise = withOverrides(getExercise("houses-beat-baseline"), {
    dataset: { kind: "csv", file: "house-prices.csv", target: "type", task: "multiclass" },
  });
  const softmax = (loss: "sparseCategoricalCrossentropy" | "categoricalCrossentropy"): SubmissionPayload => {
    const reference = solutions["credit-beat-baseline"]?.reference;
    if (!reference?.training) throw new Error("no credit reference");
    const text = JSON.stringify(reference).replace('"units":1,"activation":"sigmoid"', '"units":3,"activation":"softmax"');
    const payload = SubmissionPayload.parse(JSON.parse(text));
    return {
      ...payload,
      exerciseId: exercise.id,
      training: {
        compile: { ...reference.training.compile, loss, metrics: ["accuracy"] },
        fit: { epochs: 10, batchSize: 32, validationSplit: 0.2, shuffle: true },
      },
    };
  };

  it("takes the metric of its task and the class count from the data", () => {
    expect(exercise.metric).toBe("accuracy");
    const facts = gradingFacts(
      loadGradingData(exercise.dataset, { slice: {}, seed: exercise.seed, csvText: housesText }),
      exercise.dataset,
    );
    expect(facts.prepare.csv).toMatchObject({ inputSize: 17, numClasses: 3 });
  });

  it.each(["sparseCategoricalCrossentropy", "categoricalCrossentropy"] as const)(
    "a softmax over 3 classes with %s beats the majority class",
    async (loss) => {
      const verdict = await gradeLocally(exercise, softmax(loss), backend);
      expect(verdict.status, verdict.summary).toBe("passed");
      expect(verdict.metrics.testAccuracy?.value).toBeGreaterThan(0.65);
      // No precision/recall of "class 1": they are reported for binary tasks only.
      expect(verdict.metrics.recall).toBeUndefined();
    },
  );

  it("a sigmoid head with one unit is refused with the number of classes it needs", async () => {
    const reference = solutions["credit-beat-baseline"]?.reference;
    if (!reference) throw new Error("no credit reference");
    const verdict = await gradeLocally(exercise, { ...reference, exerciseId: exercise.id }, backend);
    expect(verdict.status).toBe("invalid");
    expect(verdict.summary).toMatch(/binaryCrossentropy needs a binary task; this one is multiclass/);
  });
});
