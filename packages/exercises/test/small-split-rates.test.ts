import { describe, expect, it } from "vitest";
import { positiveClassMetrics } from "../src/grading";

/** `n` test rows, a third positive, with a model that finds `found` of the positives and no false alarm. */
function split(n: number, found: number): { predictions: number[]; labels: number[] } {
  const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  let left = found;
  const predictions = labels.map((label) => (label === 1 && left-- > 0 ? 1 : 0));
  return { predictions, labels };
}

describe("precision, recall and F1 on a hidden test split", () => {
  it.each([
    // 60 rows: reported in steps of 0.05, like accuracy; 20 positives, 13 found: recall 0.65 exactly, 0.65.
    [60, 13, 0.65],
    // 60 rows, 7 of 20 found: 0.35.
    [60, 7, 0.35],
    // 120 rows (step 0.05 still, 3/120 = 0.025 → 0.05): 40 positives, 27 found = 0.675 → 0.7 (nearest step).
    [120, 27, 0.7],
    // 600 rows: exact.
    [600, 123, 123 / 200],
  ])("%i rows, %i positives found: recall %f", (n, found, recall) => {
    const { predictions, labels } = split(n, found);
    const metrics = positiveClassMetrics(predictions, labels);
    expect(metrics.recall?.value).toBeCloseTo(recall, 10);
    expect(metrics.precision?.value).toBe(1);
  });
});
