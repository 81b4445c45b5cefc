import { describe, expect, it } from "vitest";
import type { PreviewData } from "~/lib/preview-format";
import { encodeForModel, withFeatureSelection } from "./preview-encode";

const mnist: PreviewData = {
  header: { dataset: "mnist", n: 2, naturalShape: [28, 28, 1] },
  arrays: { pixels: Uint8Array.from({ length: 2 * 784 }, (_, i) => (i === 0 ? 255 : i === 784 ? 51 : 0)), labels: Uint8Array.from([3, 7]) },
};
// Two reviews: ids 2 ("the"), 5, 1 (OOV), 12 | 3, 3.
const imdb: PreviewData = {
  header: { dataset: "imdb", n: 2, naturalShape: [], vocabularySize: 100 },
  arrays: { offsets: Uint32Array.from([0, 4, 6]), ids: Uint16Array.from([2, 5, 1, 12, 3, 3]), labels: Uint8Array.from([1, 0]) },
};

// Three encoded rows of width 2, as the server serves them (already standardized / one-hot).
const csvBinary: PreviewData = {
  header: {
    dataset: "csv",
    n: 3,
    naturalShape: [2],
    task: "binary",
    classes: ["0", "1"],
    file: "loans.csv",
    encoding: "1 numeric column (standardized) and 1 one-hot column for housing",
  },
  arrays: { inputs: Float32Array.from([0.5, 1, -1.5, 0, 1, 1]), labels: Uint32Array.from([1, 0, 1]) },
};
const csvRegression: PreviewData = {
  header: { dataset: "csv", n: 2, naturalShape: [2], task: "regression", targetScale: { mean: 200_000, std: 50_000 }, file: "houses.csv" },
  arrays: { inputs: Float32Array.from([1, 2, 3, 4]), labels: Float32Array.from([-0.5, 1.25]) },
};

describe("encodeForModel", () => {
  it("feeds CSV rows as served into an input of their width, with class ids or one-hot labels", () => {
    const set = encodeForModel(csvBinary, { inputShape: [null, 2], firstLayer: "Dense", loss: "binaryCrossentropy", outputUnits: 1 });
    expect(Array.from(set.inputs)).toEqual([0.5, 1, -1.5, 0, 1, 1]);
    expect(set.inputShape).toEqual([2]);
    expect(Array.from(set.labels)).toEqual([1, 0, 1]);
    const oneHot = encodeForModel(csvBinary, {
      inputShape: [null, 2],
      firstLayer: "Dense",
      loss: "categoricalCrossentropy",
      outputUnits: 2,
    });
    expect(Array.from(oneHot.labels)).toEqual([0, 1, 1, 0, 0, 1]);
  });

  it("keeps CSV regression targets standardized, as the grader trains on them", () => {
    const set = encodeForModel(csvRegression, { inputShape: [null, 2], firstLayer: "Dense", loss: "meanSquaredError", outputUnits: 1 });
    expect(Array.from(set.labels)).toEqual([-0.5, 1.25]);
    expect(set.labelShape).toEqual([1]);
  });

  it("scales MNIST pixels to [0, 1] and one-hot encodes labels for categorical cross-entropy", () => {
    const set = encodeForModel(mnist, { inputShape: [null, 784], firstLayer: "Dense", loss: "categoricalCrossentropy", outputUnits: 10 });
    expect(set.inputs[0]).toBe(1);
    expect(set.inputs[784]).toBeCloseTo(0.2, 6);
    expect(set.labelShape).toEqual([10]);
    expect(Array.from(set.labels.subarray(0, 10))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it.each<[string, "standardize" | "none" | "divide-255", (x: Float32Array) => void]>([
    [
      "standardize: one mean and standard deviation over these training pixels, as the grader fits them",
      "standardize",
      (x) => {
        const mean = x.reduce((a, b) => a + b, 0) / x.length;
        const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
        expect(Math.abs(mean)).toBeLessThan(1e-6);
        expect(std).toBeCloseTo(1, 4);
        // The brightest pixel stays the brightest: scaling, not reordering.
        expect(x[0]).toBeGreaterThan(x[784] ?? Infinity);
      },
    ],
    ["none: raw grey levels 0–255", "none", (x) => expect([x[0], x[784], x[1]]).toEqual([255, 51, 0])],
    ["divide-255: [0, 1]", "divide-255", (x) => expect([x[0], x[1]]).toEqual([1, 0])],
  ])("applies a guided student's step-4 pixel scaling — %s", (_name, scaling, expectInputs) => {
    const set = encodeForModel(
      { ...mnist, header: { ...mnist.header, scaling } },
      { inputShape: [null, 784], firstLayer: "Dense", loss: "sparseCategoricalCrossentropy", outputUnits: 10 },
    );
    expectInputs(set.inputs);
  });

  it("keeps class ids for sparse categorical cross-entropy and accepts a [28, 28, 1] input", () => {
    const set = encodeForModel(mnist, {
      inputShape: [null, 28, 28, 1],
      firstLayer: "Conv2D",
      loss: "sparseCategoricalCrossentropy",
      outputUnits: 10,
    });
    expect(set.inputShape).toEqual([28, 28, 1]);
    expect(Array.from(set.labels)).toEqual([3, 7]);
  });

  it("writes IMDB multi-hot rows over the top V words, dropping rarer ones and the OOV marker", () => {
    const set = encodeForModel(imdb, { inputShape: [null, 5], firstLayer: "Dense", loss: "binaryCrossentropy", outputUnits: 1 });
    // Review 0: word ids 2 → column 0, 5 → column 3, 12 → column 10 (outside V = 5, dropped).
    expect(Array.from(set.inputs.subarray(0, 5))).toEqual([1, 0, 0, 1, 0]);
    expect(Array.from(set.inputs.subarray(5, 10))).toEqual([0, 1, 0, 0, 0]);
    expect(Array.from(set.labels)).toEqual([1, 0]);
  });

  it("writes IMDB sequences: first L ids, end-padded, ids beyond the Embedding table become OOV", () => {
    const set = encodeForModel(imdb, {
      inputShape: [null, 3],
      firstLayer: "Embedding",
      embeddingInputDim: 10,
      loss: "binaryCrossentropy",
      outputUnits: 1,
    });
    expect(Array.from(set.inputs)).toEqual([2, 5, 1, 3, 3, 0]);
  });

  it.each([
    [
      "an MNIST model with the wrong input size",
      mnist,
      { inputShape: [null, 100], firstLayer: "Dense", loss: "categoricalCrossentropy", outputUnits: 10 },
      /784 pixels.*holds 100/,
    ],
    [
      "too few output units for one-hot labels",
      mnist,
      { inputShape: [null, 784], firstLayer: "Dense", loss: "categoricalCrossentropy", outputUnits: 5 },
      /Label 7 needs at least 8 output units/,
    ],
    [
      "a CSV model of the wrong width",
      csvBinary,
      { inputShape: [null, 17], firstLayer: "Dense", loss: "binaryCrossentropy", outputUnits: 1 },
      /input shape \[None, 17\] fits no encoding of loans\.csv; accepted: \[2\] — 1 numeric column/,
    ],
    [
      "a CSV model with a 2-D input",
      csvRegression,
      { inputShape: [null, 1, 2], firstLayer: "Dense", loss: "meanSquaredError", outputUnits: 1 },
      /fits no encoding of houses\.csv; accepted: \[2\]/,
    ],
    [
      "an IMDB model with a 2-D input",
      imdb,
      { inputShape: [null, 4, 4], firstLayer: "Dense", loss: "binaryCrossentropy", outputUnits: 1 },
      /\[V\] multi-hot rows or \[L\]/,
    ],
  ] as const)("explains %s", (_case, data, model, message) => {
    expect(() => encodeForModel(data, model)).toThrow(message);
  });
});

describe("withFeatureSelection: step 7's dropped columns in the preview", () => {
  // Two rows of age, income, housing=own, housing=rent, as the server serves them.
  const table: PreviewData = {
    header: {
      dataset: "csv",
      n: 2,
      naturalShape: [4],
      task: "binary",
      file: "loans.csv",
      encoding: "2 numeric columns (standardized) and 2 one-hot columns for housing",
      featureNames: ["age", "income", "housing=own", "housing=rent"],
    },
    arrays: { inputs: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), labels: Uint32Array.from([1, 0]) },
  };

  it.each<[string, string[], number[], number[]]>([
    ["a numeric column", ["income"], [1, 3, 4, 5, 7, 8], [3]],
    ["a categorical column and its one-hot columns", ["housing"], [1, 2, 5, 6], [2]],
    ["nothing", [], [1, 2, 3, 4, 5, 6, 7, 8], [4]],
  ])("drops %s, and the model's input must fit the narrower table", (_name, drop, inputs, shape) => {
    const data = withFeatureSelection(table, { drop });
    expect(Array.from(data.arrays.inputs ?? [])).toEqual(inputs);
    expect(data.header.naturalShape).toEqual(shape);
    const width = shape[0] ?? 0;
    expect(
      encodeForModel(data, { inputShape: [null, width], firstLayer: "Dense", loss: "binaryCrossentropy", outputUnits: 1 }).inputShape,
    ).toEqual([width]);
    if (drop.length > 0)
      expect(() =>
        encodeForModel(data, { inputShape: [null, 4], firstLayer: "Dense", loss: "binaryCrossentropy", outputUnits: 1 }),
      ).toThrow(/without `/);
  });

  it("names a column the table does not have", () => {
    expect(() => withFeatureSelection(table, { drop: ["incme"] })).toThrow(
      /features\.drop names `incme`, which is not an input column of loans\.csv/,
    );
  });
});
