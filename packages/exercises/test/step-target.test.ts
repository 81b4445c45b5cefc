/** Step 7's target as step 2's metric has it: the same `stepTarget` the grader checks and the step page shows. */
import { describe, expect, it } from "vitest";
import { getExercise, stepTarget } from "../src";

describe("stepTarget", () => {
  const credit = getExercise("credit-regularize");

  it.each([
    [
      "precision-recall",
      { metric: "precision-recall", key: "recall", name: "Test recall", value: 0.6, higherIsBetter: true, chosen: true },
    ],
    ["f1", { metric: "f1", key: "f1", name: "Test F1", value: 0.7, higherIsBetter: true, chosen: true }],
    ["roc-auc", { metric: "roc-auc", key: "rocAuc", name: "Test ROC AUC", value: 0.95, higherIsBetter: true, chosen: true }],
    ["accuracy", { metric: "accuracy", key: "testAccuracy", name: "Test accuracy", value: 0.95, higherIsBetter: true, chosen: true }],
  ] as const)("the credit table, %s chosen in step 2: the target speaks it", (metric, expected) => {
    expect(stepTarget(credit, metric)).toEqual(expected);
  });

  it("the house prices, MAE chosen: the exercise's own target in euros, lower is better", () => {
    expect(stepTarget(getExercise("houses-regularize"), "mae")).toEqual({
      metric: "mae",
      key: "testMae",
      name: "Test MAE",
      value: 60_000,
      higherIsBetter: false,
      chosen: true,
    });
  });

  it("an independent course (no choice) keeps the exercise's target", () => {
    expect(stepTarget(credit, undefined)).toMatchObject({ key: "testAccuracy", value: 0.95, chosen: false });
  });

  it("an exercise stating no target for the chosen metric falls back to its own, and says it is not the chosen one", () => {
    expect(getExercise("mnist-regularize").metricTargets).toBeUndefined();
    expect(stepTarget(getExercise("mnist-regularize"), "f1")).toMatchObject({ metric: "accuracy", value: 0.975, chosen: false });
  });

  it("a step without a target has none", () => {
    expect(stepTarget(getExercise("credit-beat-baseline"), "precision-recall")).toBeUndefined();
  });

  it("every step-7 table exercise states a target for each step-2 metric its task can choose", () => {
    expect(Object.keys(credit.metricTargets ?? {}).sort()).toEqual(["f1", "precision-recall", "roc-auc"]);
  });
});
