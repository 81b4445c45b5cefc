import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ExerciseDefinition, Verdict } from "@stepwise/core/contracts";
import { CREDIT_COLUMNS, getExercise, listExercises } from "../src";
import { answerFacts, gradeAnswers } from "../src/answers";
import { answerSolutions } from "../src/solutions";
import { creditDefaultCsv, creditDefaultFile } from "../data/generate-credit-default";

const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");
const grade = (id: string, answers: Record<string, string | number | boolean>, exercise: ExerciseDefinition = getExercise(id)) =>
  Verdict.parse(gradeAnswers(exercise, { exerciseId: id, answers }, { cacheDir }));
const answerIds = listExercises()
  .filter((e) => e.kind !== "training")
  .map((e) => e.id);

describe("answer exercises in the catalogue", () => {
  it("cover steps 1–4 for MNIST, IMDB, the credit and the house-price tables, in workflow order, each with questions", () => {
    expect(answerIds).toHaveLength(16);
    const steps = listExercises().map((e) => e.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    for (const id of answerIds) expect(getExercise(id).questions.length, id).toBeGreaterThan(0);
    expect(getExercise("credit-prepare-data").kind).toBe("preprocessing");
    expect(getExercise("mnist-define-problem").title).toBe("Step 1 — define the problem on MNIST");
  });

  it("the committed credit CSV is what its generator writes, and its columns are the step 1 targets", () => {
    const text = readFileSync(creditDefaultFile, "utf8");
    expect(text).toBe(creditDefaultCsv());
    expect(text.slice(0, text.indexOf("\n")).split(",")).toEqual([...CREDIT_COLUMNS]);
  });

  it("measures the class balance from the data: about 8% credit defaults, balanced MNIST and IMDB", () => {
    const credit = answerFacts(getExercise("credit-choose-metric").dataset);
    expect(credit.trainSize).toBe(1_600);
    expect(Math.min(...credit.classBalance)).toBeGreaterThan(0.06);
    expect(Math.min(...credit.classBalance)).toBeLessThan(0.1);
    expect(answerFacts({ kind: "mnist" }).classes).toBe(10);
    const imdb = answerFacts({ kind: "imdb", vocabularySize: 10_000 }, { cacheDir }).classBalance;
    expect(imdb).toHaveLength(2);
    for (const share of imdb) expect(share).toBeCloseTo(0.5, 2);
  });
});

describe("reference answers regrade to their expected verdicts", () => {
  it("every answer exercise ships a correct and a wrong answer set", () => {
    expect(Object.keys(answerSolutions).sort()).toEqual([...answerIds].sort());
  });

  it.each(answerIds)("%s: the correct answers pass every check", (id) => {
    const set = answerSolutions[id];
    if (!set) throw new Error(`no answers for ${id}`);
    const verdict = gradeAnswers(getExercise(id), set.correct, { cacheDir });
    expect(verdict.status, verdict.summary).toBe("passed");
    expect(verdict.score).toBe(1);
  });

  it.each(answerIds)("%s: the wrong answers fail the expected check", (id) => {
    const set = answerSolutions[id];
    if (!set) throw new Error(`no answers for ${id}`);
    const verdict = gradeAnswers(getExercise(id), set.wrong, { cacheDir });
    expect(verdict.status).toBe("failed");
    expect(
      verdict.checks.filter((c) => !c.passed).map((c) => c.id),
      set.wrongFailsBecause,
    ).toContain(set.wrongFails);
  });
});

describe("check messages explain with measured numbers", () => {
  it("accuracy on the imbalanced credit table: says how accurate answering 'no' always is", () => {
    const verdict = grade("credit-choose-metric", { rarestClassShare: 0.08, metric: "accuracy" });
    const message = verdict.checks.find((c) => c.id === "metric")?.message ?? "";
    expect(message).toMatch(/default = 1 is only \d\.\d% of the training data: a model always answering default = 0 is 9\d\.\d% accurate/);
    expect(message).toMatch(/accuracy hides failure/);
  });

  it.each([
    ["precision-recall", "passed"],
    ["f1", "passed"],
    ["roc-auc", "passed"],
    // Allowed, and made visible: the advice stays (not required) and step 5 shows what accuracy hides.
    ["accuracy", "passed"],
    ["mae", "failed"],
  ])("credit metric %s → %s", (metric, status) => {
    expect(grade("credit-choose-metric", { rarestClassShare: 0.08, metric }).status).toBe(status);
  });

  it("accuracy on the imbalanced credit table passes with the advice kept, not required", () => {
    const verdict = grade("credit-choose-metric", { rarestClassShare: 0.08, metric: "accuracy" });
    expect(verdict.checks.find((c) => c.id === "metric")).toMatchObject({
      passed: false,
      message: expect.stringMatching(
        /^Accuracy is your call to make, but .*accuracy hides failure\. Your training verdicts will report accuracy first/,
      ) as unknown,
    });
  });

  it("a wrong class share is pointed to the class balance table, not given the measured one", () => {
    const verdict = grade("mnist-choose-metric", { rarestClassShare: 0.1, metric: "accuracy" });
    expect(verdict.checks.find((c) => c.id === "class-balance")).toMatchObject({
      passed: false,
      message: expect.stringMatching(/You answered 0\.1\. The class balance table on the data panel lists each class's share/) as unknown,
    });
    expect(verdict.checks.find((c) => c.id === "class-balance")?.message).not.toMatch(/9\.0%|0\.090/);
  });

  it.each([
    [
      "mnist-evaluation-protocol",
      { protocol: "holdout", folds: 1, validationFraction: 0.05 },
      "validation-fraction",
      /fraction of 0\.05 holds out 3,000 of the 60,000 training examples/,
    ],
    [
      "credit-evaluation-protocol",
      { protocol: "kfold", folds: 20, validationFraction: 0.05 },
      "folds",
      /K = 20 trains 20 models, each validating on about 80 of the 1,600 training examples/,
    ],
    [
      "credit-evaluation-protocol",
      { protocol: "kfold", folds: 4, validationFraction: 0.2 },
      "validation-fraction",
      /You answered 0\.2\. With K = 4, the 1,600 training examples are cut into 4 equal parts/,
    ],
  ])("%s %j fails %s", (id, answers, checkId, message) => {
    const verdict = grade(id, answers);
    expect(verdict.checks.find((c) => c.id === checkId)).toMatchObject({
      passed: false,
      message: expect.stringMatching(message) as unknown,
    });
  });

  it("MNIST raw bytes: reports the measured range", () => {
    const verdict = grade("mnist-prepare-data", { pixelScaling: "none", fitOnTrainOnly: true });
    expect(verdict.checks.find((c) => c.id === "scale")?.message).toMatch(/range over \[0\.000, 255\] with mean 33/);
    expect(verdict.metrics.inputMax?.value).toBe(255);
  });

  it("credit standardization fitted on all rows: training means measurably off 0", () => {
    const verdict = grade("credit-prepare-data", { numericScaling: "standardize", categorical: "one-hot", fitOnTrainOnly: false });
    expect(verdict.metrics.worstMean?.value).toBeGreaterThan(0.001);
    const honest = grade("credit-prepare-data", { numericScaling: "standardize", categorical: "one-hot", fitOnTrainOnly: true });
    expect(honest.metrics.worstMean?.value).toBeLessThan(1e-4);
    expect(honest.metrics.worstStd?.value).toBeLessThan(1e-4);
  });

  it("min-max on a column constant on training rows yields NaN, which the finite check catches", () => {
    const exercise = {
      ...getExercise("credit-prepare-data"),
      dataset: {
        kind: "csv" as const,
        file: join(import.meta.dirname, "fixtures", "constant-column.csv"),
        target: "y",
        task: "binary" as const,
      },
    };
    const verdict = grade("credit-prepare-data", { numericScaling: "min-max", categorical: "one-hot", fitOnTrainOnly: true }, exercise);
    expect(verdict.checks.find((c) => c.id === "finite")).toMatchObject({ passed: false });
  });

  it("IMDB vocabulary coverage is measured on the training reviews", () => {
    const verdict = grade("imdb-prepare-data", { encoding: "sequences", vocabularySize: 5_000, fitOnTrainOnly: true });
    expect(verdict.metrics.coverage?.value).toBeGreaterThan(0.9);
    expect(verdict.metrics.coverage?.value).toBeLessThan(0.91);
  });
});

describe("answers that cannot be graded are invalid, naming every problem", () => {
  it("unknown ids, missing answers and wrong kinds, all at once", () => {
    const verdict = grade("mnist-define-problem", { input: "images", target: 3, classes: "ten", colour: "blue" });
    expect(verdict.status).toBe("invalid");
    expect(verdict.summary).toMatch(/unknown question id `colour`/);
    expect(verdict.summary).toMatch(/`target` must be one of "digit"/);
    expect(verdict.summary).toMatch(/`task` is missing/);
    expect(verdict.summary).toMatch(/`classes` must be a number, got "ten"/);
  });

  it.each([
    ["a training exercise", "mnist-beat-baseline", "mnist-beat-baseline", /graded by training a model/],
    ["a payload for another exercise", "mnist-define-problem", "imdb-define-problem", /expected "mnist-define-problem"/],
  ])("%s", (_name, exerciseId, payloadId, message) => {
    const verdict = gradeAnswers(getExercise(exerciseId), { exerciseId: payloadId, answers: {} });
    expect(verdict.status).toBe("invalid");
    expect(verdict.summary).toMatch(message);
  });

  it("a CSV that does not exist is an error verdict, not an exception", () => {
    const exercise = {
      ...getExercise("credit-choose-metric"),
      dataset: { kind: "csv" as const, file: "missing.csv", target: "y", task: "binary" as const },
    };
    expect(grade("credit-choose-metric", { rarestClassShare: 0.1, metric: "f1" }, exercise).status).toBe("error");
  });
});
