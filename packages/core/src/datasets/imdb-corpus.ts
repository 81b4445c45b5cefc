import { ValidationError } from "../contracts/errors";
import { permutation } from "./random";
import { tokenize } from "./tokenize";
import { assertVocabularySize, compareWordCounts } from "./vocabulary";

export interface ImdbReview {
  /** Review text (scraped HTML, with `<br />` line breaks). */
  t: string;
  /** Sentiment: 1 positive, 0 negative. */
  s: 0 | 1;
}

/** Sequence ids: 0 pads, 1 marks a word outside the vocabulary, vocabulary word j is j + 2. */
export const PAD_ID = 0;
export const OOV_ID = 1;
export const FIRST_WORD_ID = 2;

export type IdArray = Uint16Array | Uint32Array;

/** Token ids of one split's inputs in CSR form: review i owns `ids[offsets[i] .. offsets[i + 1])`. */
export interface ImdbTokenInputs {
  n: number;
  /** `n + 1` offsets into `ids`. */
  offsets: Uint32Array;
  /** Every token of every review in order, as sequence ids (see PAD_ID / OOV_ID / FIRST_WORD_ID). */
  ids: IdArray;
  /** `n + 1` offsets into `uniqueIds`. */
  uniqueOffsets: Uint32Array;
  /** Per review, the sorted unique vocabulary indices (0-based) it contains: the multi-hot ones. */
  uniqueIds: IdArray;
}

export interface ImdbTokens extends ImdbTokenInputs {
  /** 1 positive, 0 negative. */
  labels: Uint8Array;
  /** Position of each review in the source array (reviews.json). */
  sourceIndices: Int32Array;
}

export interface ImdbCorpus {
  vocabularySize: number;
  seed: number;
  /** `vocabulary[j]` is multi-hot column j and sequence id j + 2. Fitted on the training split only. */
  vocabulary: string[];
  train: ImdbTokens;
  test: ImdbTokens;
}

/** Checks the reviews.json shape, naming the first bad item. */
export function assertReviews(value: unknown, file = "reviews.json"): asserts value is ImdbReview[] {
  if (!Array.isArray(value)) throw new ValidationError(`${file}: expected an array of reviews, got ${typeof value}`, file);
  if (value.length < 2) throw new ValidationError(`${file}: expected at least 2 reviews, got ${value.length}`, file);
  value.forEach((item: unknown, i) => {
    const review = item as Partial<ImdbReview> | null;
    if (typeof review?.t !== "string" || (review.s !== 0 && review.s !== 1)) {
      throw new ValidationError(`${file}: item ${i} must be {t: string, s: 0 | 1}, got ${JSON.stringify(item)?.slice(0, 80)}`, `[${i}]`);
    }
  });
}

class GrowableIds {
  data = new Int32Array(1 << 20);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

const idArray = (length: number, maxValue: number): IdArray => (maxValue <= 0xffff ? new Uint16Array(length) : new Uint32Array(length));

/**
 * Deterministic split and encoding: a seeded permutation of all reviews, the first half is
 * train and the rest test (the source file is sorted by label, so the shuffle matters); the
 * vocabulary is the `vocabularySize` most frequent training words (ties by code-unit order).
 * Every word gets a provisional id in one tokenizing pass, then ids are remapped to ranks,
 * so the 11 M tokens are never held as strings.
 */
export function buildImdbCorpus(reviews: readonly ImdbReview[], options: { vocabularySize: number; seed: number }): ImdbCorpus {
  const { vocabularySize, seed } = options;
  assertVocabularySize(vocabularySize);
  const order = permutation(reviews.length, seed);
  const trainCount = Math.floor(reviews.length / 2);
  const provisional = new Map<string, number>();
  const words: string[] = [];
  const trainCounts: number[] = [];

  const encodeSplit = (indices: Int32Array, countWords: boolean) => {
    const ids = new GrowableIds();
    const offsets = new Uint32Array(indices.length + 1);
    indices.forEach((source, i) => {
      const review = reviews[source] as ImdbReview;
      for (const word of tokenize(review.t)) {
        let id = provisional.get(word);
        if (id === undefined) {
          id = words.length;
          provisional.set(word, id);
          words.push(word);
          trainCounts.push(0);
        }
        if (countWords) trainCounts[id] = (trainCounts[id] ?? 0) + 1;
        ids.push(id);
      }
      offsets[i + 1] = ids.length;
    });
    return { indices, offsets, ids: ids.data.subarray(0, ids.length) };
  };
  const train = encodeSplit(order.slice(0, trainCount), true);
  const test = encodeSplit(order.slice(trainCount), false);

  const ranked = words
    .map((word, id): [string, number, number] => [word, trainCounts[id] ?? 0, id])
    .filter(([, count]) => count > 0)
    .sort(compareWordCounts)
    .slice(0, vocabularySize);
  const vocabulary = ranked.map(([word]) => word);
  const remap = new Int32Array(words.length).fill(OOV_ID);
  ranked.forEach(([, , id], rank) => (remap[id] = rank + FIRST_WORD_ID));

  const finish = (split: { indices: Int32Array; offsets: Uint32Array; ids: Int32Array }): ImdbTokens => {
    const n = split.indices.length;
    const ids = idArray(split.ids.length, vocabularySize + FIRST_WORD_ID);
    for (let k = 0; k < split.ids.length; k++) ids[k] = remap[split.ids[k] ?? 0] ?? OOV_ID;
    const { uniqueOffsets, uniqueIds } = uniqueVocabularyIds(split.offsets, ids, vocabularySize);
    const labels = new Uint8Array(n);
    split.indices.forEach((source, i) => (labels[i] = (reviews[source] as ImdbReview).s));
    return { n, offsets: split.offsets, ids, uniqueOffsets, uniqueIds, labels, sourceIndices: split.indices };
  };
  return { vocabularySize, seed, vocabulary, train: finish(train), test: finish(test) };
}

/** Per review, the sorted unique in-vocabulary indices (sequence id − 2) in CSR form. */
export function uniqueVocabularyIds(offsets: Uint32Array, ids: IdArray, vocabularySize: number) {
  const n = offsets.length - 1;
  const seenIn = new Int32Array(vocabularySize).fill(-1);
  const uniqueOffsets = new Uint32Array(n + 1);
  const unique = new GrowableIds();
  const row: number[] = [];
  for (let i = 0; i < n; i++) {
    row.length = 0;
    for (let k = offsets[i] ?? 0; k < (offsets[i + 1] ?? 0); k++) {
      const column = (ids[k] ?? 0) - FIRST_WORD_ID;
      if (column >= 0 && seenIn[column] !== i) {
        seenIn[column] = i;
        row.push(column);
      }
    }
    row.sort((a, b) => a - b);
    for (const column of row) unique.push(column);
    uniqueOffsets[i + 1] = unique.length;
  }
  const uniqueIds = idArray(unique.length, vocabularySize);
  uniqueIds.set(unique.data.subarray(0, unique.length));
  return { uniqueOffsets, uniqueIds };
}
