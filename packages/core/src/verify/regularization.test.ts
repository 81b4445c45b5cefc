import { describe, expect, it } from "vitest";
import { curve } from "./curves.test-helpers";
import { bestEpoch, checkReachesTarget, compareRegularization, endGap, gapMetricFor, IMBALANCED_MAJORITY_RATE } from "./regularization";
import { StatsInputError } from "./stats";

// Step 6 model: training accuracy runs away from validation accuracy after epoch 3.
const overfit = curve([0.9, 0.5, 0.3, 0.2, 0.1], [0.8, 0.5, 0.4, 0.45, 0.5], [0.7, 0.85, 0.92, 0.96, 0.99], [0.72, 0.84, 0.88, 0.87, 0.86]);
// Step 7 model with dropout: slower, but the gap stays small and validation ends higher.
const regularized = curve(
  [1.0, 0.6, 0.45, 0.38, 0.35],
  [0.85, 0.55, 0.42, 0.38, 0.37],
  [0.65, 0.8, 0.87, 0.89, 0.9],
  [0.7, 0.82, 0.87, 0.89, 0.895],
);

describe("bestEpoch", () => {
  it.each([
    ["accuracy", overfit, 3, 0.88, 0.92 - 0.88],
    ["loss", overfit, 3, 0.4, 0.4 - 0.3],
    ["accuracy", regularized, 5, 0.895, 0.9 - 0.895],
  ] as const)("%s", (metric, history, epoch, value, gap) => {
    const best = bestEpoch(history, metric);
    expect(best.epoch).toBe(epoch);
    expect(best.value).toBeCloseTo(value, 10);
    expect(best.gap).toBeCloseTo(gap, 10);
  });

  it("needs validation data", () => {
    expect(() => bestEpoch(curve([1, 0.5]), "loss")).toThrow(StatsInputError);
  });
});

describe("compareRegularization", () => {
  it("reports a narrower gap and a better validation accuracy", () => {
    const result = compareRegularization({ before: overfit, after: regularized, target: 0.89 });
    expect(result.metricChange).toBeCloseTo(0.015, 10);
    // The gaps where training ends (epoch 5 both): 0.99 − 0.86 before, 0.9 − 0.895 after.
    expect(result.gapChange).toBeCloseTo(0.005 - 0.13, 10);
    expect(result.checks.smallerGap).toMatchObject({ id: "smaller-gap", passed: true });
    expect(result.checks.smallerGap.message).toContain("gap where training ends: 0.1300 before (epoch 5), 0.0050 after (epoch 5)");
    expect(result.checks.smallerGap.message).toContain(
      "better on validation (best validation accuracy 0.8800 (epoch 3) → 0.8950 (epoch 5))",
    );
    expect(result.checks.smallerGap.message).toMatch(/overfitting shows after the best validation epoch/);
    expect(result.checks.reachesTarget).toMatchObject({ id: "reaches-target", passed: true });
    expect(result.checks.reachesTarget?.message).toContain("Best validation accuracy 0.895");
  });

  it("fails the gap check when nothing changed", () => {
    const result = compareRegularization({ before: overfit, after: overfit });
    expect(result.gapChange).toBe(0);
    expect(result.checks.smallerGap.passed).toBe(false);
    expect(result.checks.smallerGap.message).toMatch(/dropout/);
    expect(result.checks.reachesTarget).toBeUndefined();
  });

  it.each([
    [0.12, true],
    [0.13, false],
  ])("requires a reduction of at least minEffect=%f: %s", (minEffect, passed) => {
    expect(compareRegularization({ before: overfit, after: regularized, minEffect }).checks.smallerGap.passed).toBe(passed);
  });

  it("calls a gap change within noise no meaningful change, with enough digits to see it", () => {
    // 0.03135 → 0.03050, the change a student disputed: below the default 0.01, so no meaningful change.
    const before = curve([0.5, 0.3, 0.2], [0.5, 0.35, 0.3]).map((row, i) => ({
      ...row,
      accuracy: [0.9, 0.93, 0.96][i],
      valAccuracy: [0.9, 0.92, 0.92865][i],
    }));
    const after = curve([0.5, 0.3, 0.2], [0.5, 0.35, 0.3]).map((row, i) => ({
      ...row,
      accuracy: [0.9, 0.93, 0.9585][i],
      valAccuracy: [0.9, 0.92, 0.928][i],
    }));
    const result = compareRegularization({ before, after });
    expect(result.checks.smallerGap.passed).toBe(false);
    expect(result.checks.smallerGap.message).toMatch(
      /0\.0313 before .* 0\.0305 after .* no meaningful change: it shrank by 0\.0009, less than the 0\.0100/,
    );
    expect(result.checks.smallerGap.message).toContain(
      "did not change meaningfully (best validation accuracy 0.9286 (epoch 3) → 0.9280 (epoch 3))",
    );
  });

  it("says when the regularized model is worse on validation, even with a narrower gap", () => {
    const after = regularized.map((row) => ({ ...row, accuracy: (row.accuracy ?? 0) - 0.1, valAccuracy: (row.valAccuracy ?? 0) - 0.05 }));
    const result = compareRegularization({ before: overfit, after });
    expect(result.checks.smallerGap.passed).toBe(true);
    expect(result.checks.smallerGap.message).toMatch(
      /worse on validation \(best validation accuracy 0\.8800 \(epoch 3\) → 0\.8450 \(epoch 5\)\)/,
    );
  });

  it("checks the target on the test metric when one is given", () => {
    const result = compareRegularization({ before: overfit, after: regularized, target: 0.9, targetValue: 0.88 });
    expect(result.checks.reachesTarget).toMatchObject({ passed: false });
    expect(result.checks.reachesTarget?.message).toContain("Test accuracy 0.880 falls short of the target 0.900");
  });

  it("compares losses the other way round", () => {
    const result = compareRegularization({ before: overfit, after: regularized, metric: "loss", target: 0.38 });
    expect(result.before.value).toBeCloseTo(0.4);
    expect(result.after.value).toBeCloseTo(0.37);
    expect(result.metricChange).toBeLessThan(0);
    expect(result.gapChange).toBeCloseTo(0.02 - 0.4, 10);
    expect(result.checks.smallerGap.passed).toBe(true);
    expect(result.checks.reachesTarget?.passed).toBe(true);
  });
});

describe("the gap is read where training ends", () => {
  // A guided credit project under 5-fold (the folds' mean curves, rounded): the step-6 model's best
  // validation loss comes at epoch 2, where the gap is below zero (an epoch's training loss is averaged
  // while the model still learns), and its overfitting shows after it. Its regularized version (dropout).
  const step6 = curve(
    [
      0.2057, 0.0727, 0.0517, 0.0446, 0.0425, 0.0374, 0.0295, 0.026, 0.0241, 0.0222, 0.0205, 0.0164, 0.0148, 0.014, 0.0116, 0.0128, 0.0141,
      0.011, 0.008, 0.0071,
    ],
    [
      0.096, 0.063, 0.0637, 0.0633, 0.0799, 0.0711, 0.0701, 0.0752, 0.08, 0.0861, 0.0908, 0.0903, 0.0952, 0.0932, 0.1088, 0.1325, 0.1201,
      0.1228, 0.1172, 0.1346,
    ],
  );
  const dropout = curve(
    [0.2571, 0.1104, 0.0823, 0.067, 0.0645, 0.0586, 0.0592, 0.051],
    [0.1235, 0.0842, 0.0698, 0.0619, 0.0639, 0.0595, 0.0687, 0.0622],
  );

  it("a step-6 model whose best epoch comes early: regularizing narrows the gap it ends with, which the best epoch's gap could not show", () => {
    // At the best epochs the gap could only grow (−0.0097 at epoch 2 → 0.0009 at epoch 6): no model could pass there.
    expect(bestEpoch(dropout, "loss").gap - bestEpoch(step6, "loss").gap).toBeGreaterThan(0);
    const result = compareRegularization({ before: step6, after: dropout, metric: "loss" });
    expect(result.beforeGap).toEqual({ epoch: 20, gap: expect.closeTo(0.1275, 10) as unknown });
    expect(result.afterGap).toEqual({ epoch: 8, gap: expect.closeTo(0.0112, 10) as unknown });
    expect(result.checks.smallerGap.passed).toBe(true);
    expect(result.checks.smallerGap.message).toContain(
      "0.1275 before (epoch 20), 0.0112 after (epoch 8) — regularization narrowed it by 0.1163.",
    );
    expect(result.checks.smallerGap.message).toContain("best validation loss 0.0630 (epoch 2) → 0.0595 (epoch 6)");
    // The step-6 model resubmitted unchanged ends with the same gap.
    expect(compareRegularization({ before: step6, after: step6, metric: "loss" }).checks.smallerGap.passed).toBe(false);
  });

  it("reads the epoch the model ends with: the one early stopping restored, not the epochs run past it", () => {
    // Early stopping ran the step-6 model to epoch 9 and restored epoch 4; the model kept is epoch 4's.
    const stopped = step6.slice(0, 9);
    expect(compareRegularization({ before: step6, after: stopped, metric: "loss" }).afterGap.epoch).toBe(9);
    const restored = compareRegularization({ before: step6, after: stopped, metric: "loss", afterEndEpoch: 4 });
    expect(restored.afterGap).toEqual({ epoch: 4, gap: expect.closeTo(0.0187, 10) as unknown });
    expect(restored.checks.smallerGap.passed).toBe(true);
  });

  it("skips trailing epochs without validation values, and needs one with them", () => {
    const tail = [...step6.slice(0, 3), { epoch: 4, loss: 0.04, valLoss: Number.NaN, seconds: 1 }];
    expect(endGap(tail, "loss")).toEqual({ epoch: 3, gap: expect.closeTo(0.012, 10) as unknown });
    expect(() => endGap(curve([1, 0.5]), "loss")).toThrow(StatsInputError);
  });
});

describe("gapMetricFor: which gap step 7 compares", () => {
  it.each([
    [{ kind: "regression" as const }, "loss"],
    [{ kind: "multiclass" as const, majorityRate: 0.1135 }, "accuracy"],
    [{ kind: "binary" as const, majorityRate: 0.5 }, "accuracy"],
    [{ kind: "binary" as const, majorityRate: IMBALANCED_MAJORITY_RATE - 0.001 }, "accuracy"],
    [{ kind: "binary" as const, majorityRate: IMBALANCED_MAJORITY_RATE }, "loss"],
    [{ kind: "binary" as const, majorityRate: 0.9175 }, "loss"],
    [{ kind: "multiclass" as const, majorityRate: 0.85 }, "loss"],
    [{ kind: "binary" as const }, "accuracy"],
  ])("%o → %s", (task, metric) => {
    expect(gapMetricFor(task).metric).toBe(metric);
  });

  it("says why an imbalanced classification compares cross-entropy, in the check message", () => {
    const gap = gapMetricFor({ kind: "binary", majorityRate: 0.9175 });
    expect(gap.reason).toMatch(/cross-entropy, not accuracy: with 92% of the labels in one class/);
    const result = compareRegularization({
      before: overfit,
      after: regularized,
      metric: gap.metric,
      ...(gap.reason ? { gapReason: gap.reason } : {}),
    });
    expect(result.checks.smallerGap.message).toMatch(
      /^Train\/validation loss gap where training ends \(cross-entropy, not accuracy: with 92% .*\): 0\.4000 before \(epoch 5\), 0\.0200 after \(epoch 5\)/,
    );
    expect(result.checks.smallerGap.passed).toBe(true);
  });

  it("an imbalanced model whose loss gap moves less than minEffect fails, however its accuracy moved", () => {
    // Accuracy gap 0.13 → 0.005 (a pass on accuracy), loss gap 0.4 → 0.395 (below the default 0.01).
    const after = regularized.map((row, i) => ({ ...row, loss: (overfit[i]?.loss ?? 0) + 0.005, valLoss: overfit[i]?.valLoss }));
    const gap = gapMetricFor({ kind: "binary", majorityRate: 0.92 });
    const result = compareRegularization({ before: overfit, after, metric: gap.metric });
    expect(result.gapChange).toBeCloseTo(-0.005, 10);
    expect(result.checks.smallerGap.passed).toBe(false);
    expect(result.checks.smallerGap.message).toMatch(/no meaningful change: it shrank by 0\.0050, less than the 0\.0100/);
    expect(compareRegularization({ before: overfit, after }).checks.smallerGap.passed).toBe(true);
  });
});

describe("checkReachesTarget", () => {
  it.each([
    [0.9, 0.9, true, true],
    [0.899, 0.9, true, false],
    [2.5, 3, false, true],
    [3.5, 3, false, false],
    [Number.NaN, 3, false, false],
  ])("%f against %f (higher is better: %s) → %s", (value, target, higherIsBetter, passed) => {
    expect(checkReachesTarget({ value, target, higherIsBetter, what: "Test metric" }).passed).toBe(passed);
  });
});
