import { describe, expect, it } from "vitest";
import { assignmentPolicy, getExercise, withOverrides } from "../src";
import { assignmentExercise } from "../src/course";

const houses = { kind: "csv", file: "house-prices.csv", target: "price", task: "regression" } as const;

describe("withOverrides applies every exercise-level key of an assignment", () => {
  const base = getExercise("mnist-regularize");

  it.each([
    ["metric", { metric: "mae" }, { metric: "mae" }],
    ["baseline", { baseline: 0.2 }, { baseline: 0.2 }],
    ["target", { target: 0.9 }, { target: 0.9 }],
    ["seed", { seed: 99 }, { seed: 99 }],
    ["hints (replaced)", { hints: ["Mine only"] }, { hints: ["Mine only"] }],
    [
      "visibility (merged into checkVisibility)",
      { visibility: { "reaches-target": "after_deadline" } },
      { checkVisibility: { "reaches-target": "after_deadline" } },
    ],
    ["budgets (only the keys written)", { budgets: { maxEpochs: 5 } }, { budgets: { ...base.budgets, maxEpochs: 5 } }],
  ])("%s", (_key, overrides, expected) => {
    expect(withOverrides(base, overrides)).toMatchObject(expected);
  });

  it("a dataset override drops the built-in target and baseline (calibrated for other data) and takes the metric of its task", () => {
    const exercise = withOverrides(base, { dataset: houses });
    expect(exercise.dataset).toEqual(houses);
    expect(exercise.target).toBeUndefined();
    expect(exercise.baseline).toBeUndefined();
    expect(exercise.metric).toBe("mae");
    expect(withOverrides(base, { dataset: houses, target: 50_000 }).target).toBe(50_000);
    // Naming the same dataset changes nothing.
    expect(withOverrides(base, { dataset: { kind: "mnist" } })).toEqual(base);
    // Another encoding of the same data is the same data: it applies, and the thresholds stay.
    const imdb = getExercise("imdb-regularize");
    const recoded = withOverrides(imdb, { dataset: { kind: "imdb", vocabularySize: 5_000 } });
    // The starter model's input follows the vocabulary (the exercise's text describes any V).
    expect(recoded).toEqual({
      ...imdb,
      dataset: { kind: "imdb", vocabularySize: 5_000 },
      starterCode: imdb.starterCode?.replace("[10000]", "[5000]"),
    });
  });

  it.each([
    ["a malformed dataset", { dataset: { kind: "csv", file: "x.csv" } }],
    ["a baseline above 1", { baseline: 3 }],
    ["a seed of 0", { seed: 0 }],
    ["a negative budget", { budgets: { maxEpochs: -1 } }],
    ["an unknown budget key", { budgets: { maxEpoch: 5 } }],
    ["a bad visibility", { visibility: { "reaches-target": "sometimes" } }],
    ["hints that are not text", { hints: [1, 2] }],
    ["a metric nobody knows", { metric: "auc" }],
  ])("ignores %s (a bad stored value never breaks the page or the grader)", (_case, overrides) => {
    expect(withOverrides(base, overrides)).toEqual(base);
  });

  it("keeps every good key when one is bad", () => {
    expect(withOverrides(base, { target: "high", seed: 7, budgets: { maxEpochs: 3 } })).toMatchObject({
      target: base.target,
      seed: 7,
      budgets: { maxEpochs: 3 },
    });
  });

  it("ignores policy and unknown keys: they are not exercise fields", () => {
    expect(withOverrides(base, { seeds: 3, latePenalty: { perDay: 0.1, maxDaysLate: 2 }, bogus: 1 })).toEqual(base);
  });

  it("the course folder's assignmentExercise is the same function plus the title", () => {
    const file = {
      exercise: "mnist-regularize",
      title: "Mine",
      dataset: houses,
      budgets: { maxEpochs: 3 },
      seed: 5,
      hints: ["h"],
      visibility: { "smaller-gap": "never" as const },
    };
    const { exercise: _id, title: _title, ...overrides } = file;
    expect(assignmentExercise(file)).toEqual({ ...withOverrides(base, overrides), title: "Mine" });
  });
});

describe("assignmentPolicy", () => {
  it("reads the number of seeds and the late penalty", () => {
    expect(assignmentPolicy({ seeds: 3, latePenalty: { perDay: 0.2, maxDaysLate: 4 }, target: 1 })).toEqual({
      seeds: 3,
      latePenalty: { perDay: 0.2, maxDaysLate: 4 },
    });
  });

  it.each([
    ["absent", {}],
    ["too many seeds", { seeds: 11 }],
    ["a penalty above 1 per day", { latePenalty: { perDay: 2, maxDaysLate: 1 } }],
    ["a penalty with an unknown key", { latePenalty: { perDay: 0.1, maxDaysLate: 1, cap: 3 } }],
  ])("is empty for %s", (_case, overrides) => {
    expect(assignmentPolicy(overrides)).toEqual({});
  });
});
