import { FIRST_WORD_ID } from "@stepwise/core/datasets";
import { loadImdbCorpus } from "@stepwise/core/datasets/node";
import { count, percent } from "./facts";
import { check, flag, number, type RuleInput, type RuleResult, text } from "./types";

/** Kept words must cover this share of the training tokens, or too many words become "unknown". */
export const MIN_COVERAGE = 0.9;
export const MAX_VOCABULARY = 20_000;
const MIN_VOCABULARY = 100;
/** The corpus cached by default; vocabularies up to it are its most frequent words. */
const CACHED_VOCABULARY = 10_000;

/** Step 4 on IMDB: builds the declared vocabulary from the training reviews and measures what it keeps. */
export function gradeImdbPrepare({ answers, options }: RuleInput): RuleResult {
  const encoding = text(answers, "encoding");
  const size = number(answers, "vocabularySize");
  const trainOnly = flag(answers, "fitOnTrainOnly");
  const checks = [
    check(
      "encoding",
      encoding !== "characters",
      encoding === "multi-hot"
        ? "Right: multi-hot vectors suit a stack of Dense layers."
        : encoding === "sequences"
          ? "Right: padded word-index sequences suit an Embedding layer."
          : "Character codes as numbers suggest that 'b' lies between 'a' and 'c', which means nothing, and a review's meaning lives in its words: read a few of the training reviews on the data panel.",
    ),
  ];
  const metrics: RuleResult["metrics"] = {};
  if (!Number.isInteger(size) || size < MIN_VOCABULARY || size > MAX_VOCABULARY) {
    checks.push(
      check(
        "vocabulary-size",
        false,
        `A vocabulary is a whole number of words, and this exercise measures ${count(MIN_VOCABULARY)} to ${count(MAX_VOCABULARY)} of them on the training reviews; you answered ${size}.`,
      ),
    );
  } else {
    // Words are ranked by training frequency, so the top `size` words are ids below size + 2 of a larger vocabulary.
    const corpus = loadImdbCorpus({
      vocabularySize: size <= CACHED_VOCABULARY ? CACHED_VOCABULARY : MAX_VOCABULARY,
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    });
    const { ids, uniqueIds, n } = corpus.train;
    let kept = 0;
    for (const id of ids) if (id >= FIRST_WORD_ID && id < size + FIRST_WORD_ID) kept++;
    let ones = 0;
    for (const id of uniqueIds) if (id < size) ones++;
    const coverage = kept / ids.length;
    const shape =
      encoding === "multi-hot"
        ? `; each review becomes a 0/1 vector of width ${count(size)} with ${(ones / n).toFixed(0)} ones on average`
        : encoding === "sequences"
          ? `; reviews average ${(ids.length / n).toFixed(0)} words before padding or truncation`
          : "";
    checks.push(
      check(
        "vocabulary-size",
        coverage >= MIN_COVERAGE,
        coverage >= MIN_COVERAGE
          ? `Right: the ${count(size)} most frequent training words cover ${percent(coverage)} of the training text${shape}.`
          : `The ${count(size)} most frequent training words cover only ${percent(coverage)} of the training text: ${percent(1 - coverage)} of all words would become "unknown". A vocabulary should cover at least ${percent(MIN_COVERAGE, 0)} of the words a model reads.`,
      ),
    );
    metrics.coverage = { label: "Share of training words in the vocabulary", value: coverage };
  }
  checks.push(
    check(
      "fit-on-train",
      trainOnly,
      trainOnly
        ? "Right: the vocabulary comes from the training reviews only."
        : "A vocabulary built with test reviews lets words that only the test set uses shape the model's input: the test score would no longer measure reviews the model has never seen in any way. The data panel keeps the test reviews hidden for this reason.",
    ),
  );
  return { checks, metrics };
}
