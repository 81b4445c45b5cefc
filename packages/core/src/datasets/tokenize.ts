/**
 * The IMDB tokenizer, documented because the vocabulary, the cache and every student's
 * preprocessing depend on it (bump TOKENIZER_VERSION when it changes, to invalidate caches):
 * 1. lower-case;
 * 2. replace HTML line breaks (`<br />`, `<br/>`, `<br>`) with a space — the reviews are scraped HTML;
 * 3. a word is a maximal run of Unicode letters, digits and apostrophes (’ counts as ');
 *    everything else separates words, so "well-made" → "well", "made" and "café" stays whole;
 * 4. leading and trailing apostrophes are trimmed ("'hello'" → "hello", "don't" stays).
 */
export const TOKENIZER_VERSION = 1;

const BREAK = /<br\s*\/?>/g;
const WORD = /[\p{L}\p{N}'’]+/gu;

export function tokenize(text: string): string[] {
  const words = text.toLowerCase().replace(BREAK, " ").match(WORD);
  if (!words) return [];
  const out: string[] = [];
  for (const raw of words) {
    const word = trimApostrophes(raw.includes("’") ? raw.replaceAll("’", "'") : raw);
    if (word.length > 0) out.push(word);
  }
  return out;
}

function trimApostrophes(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && word.charCodeAt(start) === 39) start++;
  while (end > start && word.charCodeAt(end - 1) === 39) end--;
  return start === 0 && end === word.length ? word : word.slice(start, end);
}

/** Review text for display: HTML line breaks become newlines, then cut at a word boundary. */
export function displayText(text: string, maxChars: number): string {
  const clean = text
    .replace(BREAK, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (clean.length <= maxChars) return clean;
  const cut = clean.slice(0, maxChars);
  const space = cut.lastIndexOf(" ");
  return `${(space > maxChars / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
