import type { DataSlice, DatasetRef } from "@stepwise/core/contracts";
import type { ExampleSet, InputScaling } from "@stepwise/core/datasets";
import { summarizeTrainingData } from "@stepwise/core/verify";
import type { CsvTrainingData } from "./csv";
import { loadTrainingData } from "./data";
import type { PreparedTraining } from "./prepare";
import type { TrainingDataSummary } from "./score";

/**
 * Input floats read to find the input range: 4 M floats (16 MB) is every MNIST row up to ~5,100
 * and ~400 rows of a 10,000-word multi-hot matrix, whose 25k × 10k float32 form (1 GB) never exists.
 */
const MAX_SAMPLED_FLOATS = 4_000_000;
const CHUNK_ROWS = 256;

/** Evenly spaced rows across the whole set (deterministic, and covers the file from start to end). */
function sampledInputs(set: ExampleSet): Float32Array {
  const rows = Math.max(1, Math.min(set.n, Math.floor(MAX_SAMPLED_FLOATS / Math.max(1, set.inputSize))));
  const step = set.n / rows;
  const indices = Int32Array.from({ length: rows }, (_, i) => Math.min(set.n - 1, Math.floor(i * step)));
  const out = new Float32Array(rows * set.inputSize);
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const chunk = indices.subarray(start, Math.min(rows, start + CHUNK_ROWS));
    const part = new Float32Array(chunk.length * set.inputSize);
    set.gatherInputs(chunk, part);
    out.set(part, start * set.inputSize);
  }
  return out;
}

/**
 * The data rules' facts, from the training examples exactly as the model is fed them (the grader's
 * own normalization included: pixels in [0, 1], multi-hot 0/1, CSV columns standardized with
 * training statistics, regression targets standardized):
 * - the input range over all rows, or an even sample of them when the set is wide; none for
 *   word-index sequences, whose values are ids of an Embedding, not magnitudes;
 * - the label order the harness walks when `fit.shuffle` is off (file order; taking out the seeded
 *   validation split keeps it). With shuffling on, every epoch is reshuffled by our seeded RNG, so
 *   the data counts as shuffled whatever its file order;
 * - the mean and std of the targets the model fits (so ≈ 0 and 1 for a grader-scaled regression).
 */
export function summarizeTrainingSet(
  set: ExampleSet,
  options: { task: PreparedTraining["task"]["kind"]; shuffle: boolean; indices: boolean },
): TrainingDataSummary {
  if (!set.labels) throw new Error("summarizing training data needs the training labels");
  const summary = summarizeTrainingData(sampledInputs(set), set.labels, options.task);
  const { inputMin, inputMax, ...rest } = summary;
  return {
    ...rest,
    ...(options.indices ? {} : { inputMin, inputMax }),
    shuffled: options.shuffle || summary.shuffled,
    examples: set.n,
  };
}

/** Word-index sequences (an Embedding input) rather than feature values. */
const isSequenceInput = (dataset: DatasetRef): boolean => dataset.kind === "imdb" && dataset.sequenceLength !== undefined;

/** Summaries of built-in datasets by everything they depend on; a grader process sees few distinct keys. */
const builtInSummaries = new Map<string, TrainingDataSummary>();
const SUMMARY_CACHE_SIZE = 32;

/**
 * Loads the prepared model's training set the way the training child does (same dataset encoding,
 * slice and seed, so the same arrays in the same order) and summarizes it. The grader's parent and
 * `gradeLocally` call it once per job: it needs no test data. A built-in dataset's summary depends
 * only on the arguments, so it is computed once per process (~70 ms of the parent's time per MNIST
 * job, which competes with training on a busy grader); a CSV's rows come with the job.
 */
export function trainingDataSummary(
  prepared: PreparedTraining,
  options: { slice: DataSlice; seed: number; cacheDir?: string; csv?: CsvTrainingData; scaling?: InputScaling },
): TrainingDataSummary {
  const shape = { task: prepared.task.kind, shuffle: prepared.training.fit.shuffle, indices: isSequenceInput(prepared.dataset) };
  const key = options.csv
    ? undefined
    : JSON.stringify([prepared.dataset, options.slice, options.seed, options.cacheDir ?? null, shape, options.scaling ?? null]);
  const known = key === undefined ? undefined : builtInSummaries.get(key);
  if (known) return structuredClone(known);
  const { train } = loadTrainingData(prepared.dataset, {
    slice: options.slice,
    seed: options.seed,
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.csv ? { csv: options.csv } : {}),
    ...(options.scaling ? { scaling: options.scaling } : {}),
  });
  const summary = summarizeTrainingSet(train, shape);
  if (key !== undefined) {
    if (builtInSummaries.size >= SUMMARY_CACHE_SIZE) builtInSummaries.delete(builtInSummaries.keys().next().value as string);
    builtInSummaries.set(key, structuredClone(summary));
  }
  return summary;
}
