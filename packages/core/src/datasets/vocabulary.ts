import { ValidationError } from "../contracts/errors";

/** Word order for the vocabulary: more frequent first; ties by code-unit order, so the result never depends on locale or input order. */
export function compareWordCounts(a: readonly [string, number, ...unknown[]], b: readonly [string, number, ...unknown[]]): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

export function assertVocabularySize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > 1_000_000) {
    throw new ValidationError(`\`vocabularySize\` must be an integer in 1..1000000, got ${String(size)}`, "vocabularySize");
  }
}

/**
 * The `size` most frequent words (total occurrences) of `counts`. Callers pass counts from the
 * training split only: a vocabulary fitted on test reviews would leak test information.
 */
export function fitVocabulary(counts: ReadonlyMap<string, number>, size: number): string[] {
  assertVocabularySize(size);
  return [...counts]
    .filter(([, count]) => count > 0)
    .sort(compareWordCounts)
    .slice(0, size)
    .map(([word]) => word);
}

/** Word occurrence counts over tokenized documents. */
export function countWords(documents: Iterable<readonly string[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const words of documents) for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}
