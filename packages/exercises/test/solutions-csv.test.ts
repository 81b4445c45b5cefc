import { describe, expect, it } from "vitest";
import { listExercises } from "../src";
import { solutions } from "../src/solutions";
import { describeSolutions, grade } from "./solutions-regrade";

// The MNIST and IMDB solutions are regraded in solutions-mnist.test.ts and solutions-imdb.test.ts.
it("every training exercise ships a reference and a naive solution", () => {
  for (const exercise of listExercises().filter((e) => e.kind === "training")) {
    expect(solutions[exercise.id], exercise.id).toBeDefined();
  }
});

describeSolutions("csv");

describe("the CSV references report what their tables call for", () => {
  it("credit (imbalanced, 4-fold): beats the majority rate, reports precision/recall/F1 of the defaults and each fold's accuracy with mean ± std", async () => {
    const verdict = await grade("credit-beat-baseline", "reference");
    expect(verdict.status, verdict.summary).toBe("passed");
    // The baseline is the majority rate of the test split (about 0.9), not the nominal 0.5.
    expect(verdict.metrics.baseline?.label).toMatch(/majority/);
    expect(verdict.metrics.baseline?.value).toBeGreaterThan(0.85);
    expect(verdict.metrics.recall?.label).toMatch(/default = 1/);
    for (const key of ["precision", "recall", "f1"]) expect(verdict.metrics[key]?.value).toBeGreaterThan(0.5);
    const folds = [1, 2, 3, 4].map((k) => verdict.metrics[`fold${k}`]?.value ?? Number.NaN);
    const mean = folds.reduce((a, b) => a + b, 0) / 4;
    const std = Math.sqrt(folds.reduce((s, v) => s + (v - mean) ** 2, 0) / 3);
    expect(verdict.metrics.kfoldMean?.value).toBeCloseTo(mean, 10);
    expect(verdict.metrics.kfoldStd?.value).toBeCloseTo(std, 10);
    expect(verdict.summary).toMatch(/K-fold \(K = 4\) validation accuracy 0\.9\d\d ± 0\.0\d\d/);
  });

  it("credit step 7 (imbalanced): compares the cross-entropy gap and says why; the target stays on test accuracy", async () => {
    const [reference, naive] = await Promise.all([grade("credit-regularize", "reference"), grade("credit-regularize", "naive")]);
    const gap = reference.checks.find((c) => c.id === "smaller-gap");
    expect(gap?.message).toMatch(
      /^Train\/validation loss gap where training ends \(cross-entropy, not accuracy: with \d+% of the labels in one class/,
    );
    expect(reference.metrics.gapBefore?.label).toMatch(/^Validation − training loss gap where training ends, step-6 model \(epoch \d+\)/);
    // A clear margin, not a step just past the minimum effect, and no worse on validation.
    expect((reference.metrics.gapBefore?.value ?? 0) - (reference.metrics.gapAfter?.value ?? 0)).toBeGreaterThan(0.015);
    expect(reference.metrics.valLossChange?.value).toBeLessThanOrEqual(0);
    expect(reference.checks.find((c) => c.id === "reaches-target")?.message).toMatch(/^Test accuracy 0\.9\d+ reaches the target 0\.950/);
    expect(naive.checks.find((c) => c.id === "smaller-gap")?.message).toMatch(/loss gap .* it did not shrink/);
  });

  it("houses (regression): MAE in euros against the training-mean baseline, with its interval and a paired test", async () => {
    const verdict = await grade("houses-beat-baseline", "reference");
    expect(verdict.status, verdict.summary).toBe("passed");
    const mae = verdict.metrics.testMae;
    // Prices are in the 100,000s: an MAE in standardized units (≈ 0.2) would mean predictions were never mapped back.
    expect(mae?.value).toBeGreaterThan(10_000);
    expect(mae?.value).toBeLessThan((verdict.metrics.baselineMae?.value ?? 0) / 2);
    expect(mae?.interval?.lower).toBeLessThan(mae?.value ?? 0);
    expect(verdict.summary).toMatch(/paired one-sided t test/);
  });
});
