import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv";
import { encodeCsv, fitCsvEncoder, fitTargetScale, scaleTargets, unscaleTarget } from "./csv-encode";
import { materialize } from "./sets";

// Two numeric columns on very different scales and a category; the last two rows play the test split.
const text = [
  "area,price_band,zone,price",
  "50,1,a,100000",
  "70,2,b,150000",
  "90,3,a,200000",
  "110,4,b,250000",
  "1000,40,c,9000000",
  "2000,80,a,12000000",
].join("\n");
const train = [0, 1, 2, 3];
const test = [4, 5];

describe("CSV encoding with training statistics", () => {
  const table = parseCsv(text, { target: "price", task: "regression" });
  const encoder = fitCsvEncoder(table, train, { standardize: true });

  it("standardizes numeric columns with the mean and std of the training rows only", () => {
    // Training areas 50, 70, 90, 110: mean 80, population std √500.
    expect(encoder.numericStats?.area?.mean).toBeCloseTo(80, 12);
    expect(encoder.numericStats?.area?.std).toBeCloseTo(Math.sqrt(500), 12);
    const rows = materialize(encodeCsv(table, encoder, train));
    const width = encoder.inputSize;
    for (const column of [0, 1]) {
      const values = train.map((_, r) => rows[r * width + column] ?? Number.NaN);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
      expect(mean).toBeCloseTo(0, 6);
      expect(variance).toBeCloseTo(1, 5);
    }
  });

  it("applies the same training statistics to test rows, which therefore stay far out (no refit on test)", () => {
    const rows = materialize(encodeCsv(table, encoder, test, { withLabels: false }));
    expect(rows[0]).toBeCloseTo((1000 - 80) / Math.sqrt(500), 4);
    // Had the statistics seen the test rows, the same value would be about 0.5.
    const leaky = fitCsvEncoder(table, [...train, ...test], { standardize: true });
    expect(materialize(encodeCsv(table, leaky, test))[0]).toBeLessThan(1);
  });

  it("one-hot categories come from training rows; a test-only category encodes as zeros", () => {
    expect(encoder.categories.zone).toEqual(["a", "b"]);
    expect(encoder.featureNames).toEqual(["area", "price_band", "zone=a", "zone=b"]);
    const rows = materialize(encodeCsv(table, encoder, [4]));
    expect([rows[2], rows[3]]).toEqual([0, 0]);
  });

  it("test inputs can be encoded without their labels", () => {
    expect(encodeCsv(table, encoder, test, { withLabels: false }).labels).toBeUndefined();
    expect(encodeCsv(table, encoder, test).labels).toEqual(Float32Array.from([9_000_000, 12_000_000]));
  });

  it("a constant numeric column encodes as 0, not NaN", () => {
    const constant = parseCsv("x,k,y\n5,1,0\n5,2,1\n5,3,0\n", { target: "y", task: "binary" });
    const encoded = materialize(encodeCsv(constant, fitCsvEncoder(constant, [0, 1, 2], { standardize: true })));
    expect([encoded[0], encoded[2], encoded[4]]).toEqual([0, 0, 0]);
  });

  it("without `standardize` numbers pass through unchanged", () => {
    const raw = fitCsvEncoder(table, train);
    expect(raw.numericStats).toBeUndefined();
    expect(materialize(encodeCsv(table, raw, [0]))[0]).toBe(50);
  });
});

describe("regression target scale", () => {
  it("is fitted on training rows, scales them to mean 0 and std 1, and maps outputs back to the target's unit", () => {
    const labels = Float32Array.from([100_000, 150_000, 200_000, 250_000, 9_000_000]);
    const scale = fitTargetScale(labels, [0, 1, 2, 3]);
    expect(scale.mean).toBe(175_000);
    expect(scale.std).toBeCloseTo(Math.sqrt(3_125_000_000), 6);
    const scaled = scaleTargets(labels, [0, 1, 2, 3], scale);
    expect(scaled.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
    expect(unscaleTarget(scaled[3] ?? 0, scale)).toBeCloseTo(250_000, 0);
  });
});
