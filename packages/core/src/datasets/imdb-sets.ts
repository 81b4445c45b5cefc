import { ValidationError } from "../contracts/errors";
import { FIRST_WORD_ID, type ImdbTokenInputs, PAD_ID } from "./imdb-corpus";
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
        const start = offsets[review] ?? 0;
        const length = Math.min(sequenceLength, (offsets[review + 1] ?? 0) - start);
        const base = i * sequenceLength;
        for (let k = 0; k < length; k++) out[base + k] = ids[start + k] ?? PAD_ID;
        out.fill(PAD_ID, base + length, base + sequenceLength);
      }
    },
  };
}

/** Embedding `inputDim` for sequences over a vocabulary of `vocabularySize` words. */
export const embeddingInputDim = (vocabularySize: number): number => vocabularySize + FIRST_WORD_ID;
