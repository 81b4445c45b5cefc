/**
 * The pure parts of the experiments, on hand-written numbers: how a loss curve, a learning-rate
 * sweep, batch compositions and outputs are read, the data views, and which experiments a verdict
 * suggests.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { denseSet, materialize } from "@stepwise/core/datasets";
import { EXPERIMENTS, suggestExperiments, type ExperimentName } from "../src/experiments";
import { composition } from "../src/experiments/checks/data-shuffled";
import { lossTrend } from "../src/experiments/checks/loss-per-batch";
import { analyzeRange, judgeRate } from "../src/experiments/checks/lr-range-test";
import { isConstant, summarizeOutputs } from "../src/experiments/checks/output-histogram";
import { featureRelevance, tokenRelevance, topK } from "../src/experiments/relevance";
import { downsampled, onlyFeatures, onlyTokens } from "../src/experiments/sets";
import { histogram, longestRun } from "../src/experiments/stats";

describe("reading a per-batch loss curve", () => {
  it.each([
    ["a steady fall", [2.27, 2.1, 2.1, 1.93, 1.87, 1.78, 1.7, 1.74, 1.68, 1.57], "decreasing"],
    ["noise around a level", [2.27, 2.25, 2.29, 2.24, 2.28, 2.23, 2.23, 2.26, 2.28, 2.26], "flat"],
    ["a 5 % dip that is only noise", [2.6, 2.2, 2.5, 2.3, 2.4, 2.2, 2.5, 2.3, 2.4, 2.2, 2.5, 2.3], "flat"],
    ["a jump to a high plateau", [2.27, 12.59, 14.48, 13.3, 14.23, 14.23, 15.11, 14.23, 14.61, 14.36], "diverging"],
    ["a steady rise", [0.7, 0.72, 0.75, 0.79, 0.8, 0.84, 0.86, 0.9], "diverging"],
    ["a NaN", [2.3, 2.1, Number.NaN], "diverging"],
  ])("%s → %s", (_name, losses, trend) => {
    expect(lossTrend(losses).trend).toBe(trend);
  });
});

describe("reading a learning-rate sweep", () => {
  const rates = Array.from({ length: 50 }, (_, i) => 1e-5 * 1e5 ** (i / 49));
  // Flat until ~1e-4, falling to a minimum near 1e-2, then blowing up.
  const bowl = rates.map((lr) => ({
    learningRate: lr,
    loss: 2.3 - 1.8 * Math.exp(-((Math.log10(lr) + 2) ** 2)) + (lr > 0.1 ? 20 * lr : 0),
  }));

  it("finds the minimum, the steepest descent before it, and suggests a tenth of the minimum's rate", () => {
    const analysis = analyzeRange(bowl);
    expect(analysis.found).toBe(true);
    expect(Math.log10(analysis.minimumAt ?? 0)).toBeCloseTo(-2, 0);
    expect(analysis.steepestAt ?? 1).toBeLessThan(analysis.minimumAt ?? 0);
    expect(analysis.suggested).toBeCloseTo((analysis.minimumAt ?? 0) / 10, 12);
    expect(analysis.smoothed).toHaveLength(50);
  });

  it("reports no minimum when the loss never falls by 10 %, and ignores everything after a NaN", () => {
    expect(analyzeRange(rates.map((lr, i) => ({ learningRate: lr, loss: 2.3 - 0.001 * i }))).found).toBe(false);
    const withNaN = [...bowl.slice(0, 30), { learningRate: 1, loss: Number.NaN }, { learningRate: 2, loss: 0 }];
    const analysis = analyzeRange(withNaN);
    expect(analysis.smoothed.slice(30)).toEqual([null, null]);
    expect(analysis.minimumAt).toBeLessThan(1);
  });

  it.each([
    [1e-3, 1e-3, "lr-ok"],
    [1e-4, 1e-3, "lr-ok"],
    [1e-5, 1e-3, "lr-too-low"],
    [3e-3, 1e-3, "lr-ok"],
    [1e-2, 1e-3, "lr-too-high"],
  ] as const)("a rate of %s against a suggestion of %s is %s", (rate, suggested, outcome) => {
    expect(judgeRate(rate, suggested)).toBe(outcome);
  });
});

describe("batch composition", () => {
  const classOf = Int32Array.from({ length: 100 }, (_, i) => Math.floor(i / 50));
  const shares = [0.5, 0.5];

  it("flags a stream in runs of one class and shows its batches", () => {
    const sorted = composition(
      classOf,
      shares,
      Int32Array.from({ length: 100 }, (_, i) => i),
      10,
      10,
    );
    expect(sorted.looksShuffled).toBe(false);
    expect(sorted.longestRun).toBe(50);
    expect(sorted.singleClassBatches).toBe(10);
    expect(sorted.counts[0]).toEqual([10, 0]);
    expect(sorted.counts[9]).toEqual([0, 10]);
  });

  it("passes an interleaved stream, even one that starts with a single class's worth of examples", () => {
    const interleaved = Int32Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? i / 2 : 50 + (i - 1) / 2));
    const mixed = composition(classOf, shares, interleaved, 10, 10);
    expect(mixed.looksShuffled).toBe(true);
    expect(mixed.longestRun).toBe(1);
    // The first 20 examples of the sorted stream hold one class: judged against the whole data's shares, not the stream's.
    expect(
      composition(
        classOf,
        shares,
        Int32Array.from({ length: 100 }, (_, i) => i),
        10,
        2,
      ).looksShuffled,
    ).toBe(false);
  });
});

describe("summarizing outputs", () => {
  it("counts softmax answers, the top share and saturated rows", () => {
    const softmax = Float32Array.from([0.995, 0.005, 0, 0.2, 0.7, 0.1, 0.1, 0.8, 0.1, 0.6, 0.3, 0.1]);
    const summary = summarizeOutputs(softmax, 3, false);
    expect(summary.classCounts).toEqual([2, 2, 0]);
    expect(summary.topClassShare).toBe(0.5);
    expect(summary.saturated).toBe(0.25);
    expect(summary.histogram.counts.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it.each([
    [1, 0.1, true],
    [0.96, 0.12, true],
    [0.9, 0.1, false],
    [0.958, 0.91, false],
    [0.995, 0.91, true],
  ])("%s of answers for a class that is %s of the data: constant %s", (share, inData, constant) => {
    expect(isConstant(share, inData)).toBe(constant);
  });

  it("reads a single sigmoid unit as two classes, and regression outputs as values", () => {
    expect(summarizeOutputs(Float32Array.from([0.1, 0.9, 0.4, 0.999]), 1, false).classCounts).toEqual([2, 2]);
    const regression = summarizeOutputs(Float32Array.from([3, 3, 3, 3]), 1, true);
    expect(regression.classCounts).toEqual([]);
    expect(regression.std).toBe(0);
  });
});

describe("numbers", () => {
  it("bins values into equal-width bins, end values into the end bins", () => {
    expect(histogram([0, 0.05, 0.5, 1, 2, Number.NaN], 4, 0, 1)).toEqual({ from: 0, to: 1, counts: [2, 0, 1, 2] });
    expect(histogram([5, 5], 2)).toEqual({ from: 5, to: 6, counts: [2, 0] });
    expect(longestRun([1, 1, 2, 2, 2, 1])).toBe(3);
  });
});

describe("reduced inputs", () => {
  it("downsamples a 4×4 image 2× by block means, keeping its shape", () => {
    const image = Float32Array.from({ length: 16 }, (_, i) => i);
    const set = downsampled(denseSet(image, 16, { naturalShape: [4, 4, 1], labels: Int32Array.from([0]) }), 2);
    expect(Array.from(materialize(set))).toEqual([2.5, 2.5, 4.5, 4.5, 2.5, 2.5, 4.5, 4.5, 10.5, 10.5, 12.5, 12.5, 10.5, 10.5, 12.5, 12.5]);
    expect(() => downsampled(denseSet(image, 16, { naturalShape: [16] }), 2)).toThrow(/images whose sides divide by 2/);
  });

  it("keeps only chosen features, or only chosen words of a sequence (padding stays padding)", () => {
    expect(Array.from(materialize(onlyFeatures(denseSet(Float32Array.from([1, 2, 3, 4, 5, 6]), 3), [0, 2])))).toEqual([1, 0, 3, 4, 0, 6]);
    expect(Array.from(materialize(onlyTokens(denseSet(Float32Array.from([0, 0, 7, 9, 7, 1]), 6), new Set([7]))))).toEqual([
      0, 0, 7, 1, 7, 1,
    ]);
  });

  it("ranks the features that go with the label first, measured on training rows", () => {
    // Feature 1 equals the class, feature 0 is noise, feature 2 constant.
    const rows = Float32Array.from([0.3, 0, 1, 0.9, 1, 1, 0.5, 0, 1, 0.1, 1, 1, 0.7, 0, 1, 0.2, 1, 1]);
    const labels = Int32Array.from([0, 1, 0, 1, 0, 1]);
    const scores = featureRelevance(denseSet(rows, 3, { labels }), "binary");
    expect(scores[1]).toBeCloseTo(1, 10);
    expect(scores[2]).toBe(0);
    expect(topK(scores, 1)).toEqual([1]);
    const regression = featureRelevance(
      denseSet(Float32Array.from([1, 5, 2, 3, 3, 9]), 2, { labels: Float32Array.from([10, 20, 30]) }),
      "regression",
    );
    expect(regression[0]).toBeCloseTo(1, 10);
    // Word 5 appears only in positive reviews, word 4 in every review.
    const reviews = denseSet(Float32Array.from([4, 5, 0, 4, 3, 0, 4, 5, 3, 4, 2, 0]), 3, { labels: Int32Array.from([1, 0, 1, 0]) });
    const words = tokenRelevance(reviews);
    expect(topK(words, 1)).toEqual([5]);
    expect(words[4]).toBe(0);
  });
});

describe("suggestExperiments", () => {
  const verdict = (status: "passed" | "failed" | "diverged" | "invalid" | "timed_out", ...codes: string[]) => ({
    status,
    diagnostics: codes.map((code) => ({ code })),
  });
  const names = (v: ReturnType<typeof verdict>, task?: "binary" | "multiclass" | "regression") =>
    suggestExperiments(v, { task }).map((s) => s.experiment);

  it.each([
    [["loss-flat"], ["loss-per-batch", "lr-range-test", "tiny-subset", "output-histogram"]],
    [["softmax-binary-crossentropy"], ["label-as-input", "output-histogram"]],
    [["loss-nan"], ["lr-range-test", "loss-per-batch", "label-scale"]],
    [["labels-not-shuffled"], ["data-shuffled"]],
    [
      ["constant-predictions", "loss-at-chance"],
      ["output-histogram", "lr-range-test", "one-feature", "label-as-input", "tiny-subset"],
    ],
  ] as [string[], ExperimentName[]][])("diagnostics %j → %j", (codes, expected) => {
    expect(names(verdict("failed", ...codes))).toEqual(expected);
  });

  it("gives each suggestion its reasons and the findings behind it, once each", () => {
    const [first] = suggestExperiments(verdict("failed", "loss-flat", "loss-at-chance"));
    expect(first).toMatchObject({
      experiment: "loss-per-batch",
      title: "Is the loss decreasing?",
      because: ["loss-flat"],
      reasons: ["the loss did not move"],
    });
    const tiny = suggestExperiments(verdict("failed", "loss-flat", "loss-at-chance")).find((s) => s.experiment === "tiny-subset");
    expect(tiny?.because).toEqual(["loss-flat", "loss-at-chance"]);
  });

  it("falls back on the status, and suggests nothing when nothing trained", () => {
    expect(names(verdict("failed"))).toEqual(["tiny-subset", "one-feature", "loss-per-batch"]);
    expect(names(verdict("diverged"))).toEqual(["lr-range-test", "loss-per-batch", "label-scale"]);
    expect(names(verdict("invalid", "loss-flat"))).toEqual([]);
    expect(names(verdict("timed_out"))).toEqual([]);
    expect(names(verdict("passed"))).toEqual([]);
  });

  it("leaves out experiments that do not apply to the task", () => {
    expect(names(verdict("failed", "loss-nan"), "multiclass")).toEqual(["lr-range-test", "loss-per-batch"]);
    expect(names(verdict("failed", "loss-flat"), "regression")).toEqual(["loss-per-batch", "lr-range-test", "output-histogram"]);
  });

  it("has an answer for every diagnostic code core's diagnose can emit", () => {
    const index = createRequire(import.meta.url).resolve("@stepwise/core/verify");
    const source = ["diagnostics.ts", "evidence-rules.ts"]
      .map((file) => readFileSync(index.replace(/index\.ts$/, file), "utf8"))
      .join("\n");
    const codes = [...new Set([...source.matchAll(/code: "([a-z-]+)"/g)].map((m) => m[1] ?? ""))];
    expect(codes.length).toBeGreaterThanOrEqual(20);
    for (const code of codes) {
      const suggested = names(verdict("failed", code));
      expect(suggested.length, code).toBeGreaterThan(0);
      expect(suggested.every((name) => EXPERIMENTS.includes(name))).toBe(true);
    }
  });
});
