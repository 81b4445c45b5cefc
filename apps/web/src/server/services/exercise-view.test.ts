import { getExercise } from "@stepwise/exercises";
import { describe, expect, it } from "vitest";
import { effectiveBudgets, publicExercise } from "./exercise-view";

const exercise = getExercise("mnist-beat-baseline");

describe("effectiveBudgets", () => {
  it.each([
    ["no overrides", {}, exercise.budgets],
    // Regression: Budgets' default maxBatchSize (4096) used to replace the exercise's 1024.
    ["an override of maxParams only", { budgets: { maxParams: 50_000 } }, { ...exercise.budgets, maxParams: 50_000 }],
    ["an invalid override (ignored)", { budgets: { maxEpochs: -3 } }, exercise.budgets],
    ["a non-object override (ignored)", { budgets: "lots" }, exercise.budgets],
  ])("with %s", (_case, overrides, expected) => {
    expect(effectiveBudgets(exercise, { overrides })).toEqual(expected);
  });

  it("keeps the exercise's batch-size budget", () => {
    expect(effectiveBudgets(exercise, { overrides: { budgets: { maxEpochs: 5 } } }).maxBatchSize).toBe(exercise.budgets.maxBatchSize);
  });
});

describe("publicExercise", () => {
  it("leaves out seeds, data slices and check visibility rules", () => {
    const view = publicExercise(exercise, { overrides: {} });
    expect(view).not.toHaveProperty("seed");
    expect(view).not.toHaveProperty("data");
    expect(view).not.toHaveProperty("checkVisibility");
    expect(view).toMatchObject({ id: exercise.id, title: exercise.title, starterCode: exercise.starterCode });
  });
});
