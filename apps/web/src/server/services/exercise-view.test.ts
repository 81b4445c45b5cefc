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

describe("publicExercise with the instructor's overrides", () => {
  it.each([
    ["an accuracy target", "mnist-regularize", { target: 0.95 }, "must reach 0.95.", /0\.975/],
    ["an MAE target in euros", "houses-regularize", { target: 50_000 }, "a test MAE of at most 50,000 euros", /60,000/],
  ])("states %s where the text gave the built-in one", (_case, id, overrides, shown, gone) => {
    const view = publicExercise(getExercise(id), { overrides });
    expect(view.summary).toContain(shown);
    expect(view.summary).not.toMatch(gone);
  });

  it("adds a target the built-in text never mentioned, and a changed baseline, after the text", () => {
    const view = publicExercise(exercise, { overrides: { target: 0.9, baseline: 0.25 } });
    expect(view.summary.startsWith(exercise.summary)).toBe(true);
    expect(view.summary).toContain("This assignment's target: a test accuracy of 0.9.");
    expect(view.summary).toContain("baseline to 0.25");
  });

  it.each([
    ["the instructor's title", "Week 5", "Week 5"],
    ["the exercise's title when the stored one is the built-in default", exercise.title, exercise.title],
  ])("shows %s", (_case, title, expected) => {
    expect(publicExercise(exercise, { overrides: {}, title }).title).toBe(expected);
  });
});
