import { ValidationError } from "../contracts/errors";
import { FIRST_WORD_ID, type ImdbTokenInputs, OOV_ID, PAD_ID } from "./imdb-corpus";
import { checkGather } from "./sets";
import type { ExampleSet } from "./types";

const labelsOf = (labels: Uint8Array | undefined) => (labels ? { labels: Int32Array.from(labels) } : {});

/**
 * Multi-hot rows of width `vocabularySize`: column j is 1 when vocabulary word j occurs in the
 * review. Rows are written per batch from the stored unique ids, never as a 25,000 × N matrix.
 */
export function multiHotSet(tokens: ImdbTokenInputs, vocabularySize: number, labels?: Uint8Array): ExampleSet {
  const { n, uniqueOffsets, uniqueIds } = tokens;
  return {
    n,
    inputSize: vocabularySize,
    naturalShape: [vocabularySize],
    ...labelsOf(labels),
    gatherInputs(indices, out) {
      checkGather("IMDB multi-hot", n, vocabularySize, indices, out);
      out.fill(0, 0, indices.length * vocabularySize);
      for (let i = 0; i < indices.length; i++) {
        const review = indices[i] ?? 0;
        const base = i * vocabularySize;
        for (let k = uniqueOffsets[review] ?? 0; k < (uniqueOffsets[review + 1] ?? 0); k++) {
          const column = uniqueIds[k] ?? 0;
          // A corpus built with a larger vocabulary can be read at a smaller width: drop the rare tail.
          if (column < vocabularySize) out[base + column] = 1;
        }
      }
    },
  };
}

/**
 * Integer sequences of length `sequenceLength` (as floats, for an Embedding layer with
 * inputDim = vocabularySize + 2): 0 pads, 1 is out-of-vocabulary, word j is j + 2.
 * Long reviews keep their FIRST `sequenceLength` words and short ones are padded at the END:
 * the opening of a review usually states the verdict, and end-padding keeps word positions
 * aligned with the text (the student's model must mask or pool over padding either way).
 */
export function sequenceSet(tokens: ImdbTokenInputs, sequenceLength: number, labels?: Uint8Array): ExampleSet {
  if (!Number.isInteger(sequenceLength) || sequenceLength < 1 || sequenceLength > 10_000) {
    throw new ValidationError(`\`sequenceLength\` must be an integer in 1..10000, got ${String(sequenceLength)}`, "sequenceLength");
  }
  const { n, offsets, ids } = tokens;
  return {
    n,
    inputSize: sequenceLength,
    naturalShape: [sequenceLength],
    ...labelsOf(labels),
    gatherInputs(indices, out) {
      checkGather("IMDB sequences", n, sequenceLength, indices, out);
      for (let i = 0; i < indices.length; i++) {
        const review = indices[i] ?? 0;
        writeSequence(ids, offsets[review] ?? 0, offsets[review + 1] ?? 0, out, i * sequenceLength, sequenceLength);
      }
    },
  };
}

/** Embedding `inputDim` for sequences over a vocabulary of `vocabularySize` words. */
export const embeddingInputDim = (vocabularySize: number): number => vocabularySize + FIRST_WORD_ID;

/**
 * One review as a sequence row: its first `length` ids from `ids[start .. end)` into
 * `out[base .. base + length)`, end-padded with PAD_ID. Ids at or above `maxId` (an Embedding table
 * smaller than the vocabulary they were encoded with) become OOV_ID.
 */
export function writeSequence(
  ids: ArrayLike<number>,
  start: number,
  end: number,
  out: Float32Array,
  base: number,
  length: number,
  maxId = Number.POSITIVE_INFINITY,
): void {
  const count = Math.min(length, end - start);
  for (let k = 0; k < count; k++) {
    const id = ids[start + k] ?? PAD_ID;
    out[base + k] = id < maxId ? id : OOV_ID;
  }
  out.fill(PAD_ID, base + Math.max(0, count), base + length);
}

/**
 * One review as a multi-hot row from its sequence ids `ids[start .. end)`: column j is 1 when
 * vocabulary word j (sequence id j + FIRST_WORD_ID) occurs and j < `width`. The row must start zeroed.
 */
export function writeMultiHot(ids: ArrayLike<number>, start: number, end: number, out: Float32Array, base: number, width: number): void {
  for (let k = start; k < end; k++) {
    const column = (ids[k] ?? PAD_ID) - FIRST_WORD_ID;
    if (column >= 0 && column < width) out[base + column] = 1;
  }
}
