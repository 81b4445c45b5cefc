import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCacheFile, readCacheMeta, writeCacheFile } from "./cache";
import { imdbCacheFiles, loadImdbCorpus, readImdbReviews } from "./imdb";
import type { ImdbCorpus } from "./imdb-corpus";

/** Byte-level comparison: deep equality on 11 M-element typed arrays takes minutes in vitest. */
function corpusDigest(corpus: ImdbCorpus): string[] {
  const bytes = (a: ArrayBufferView) =>
    createHash("sha1")
      .update(Buffer.from(a.buffer, a.byteOffset, a.byteLength))
      .digest("hex");
  const split = (s: ImdbCorpus["train"]) => [s.offsets, s.ids, s.uniqueOffsets, s.uniqueIds, s.labels, s.sourceIndices].map(bytes);
  return [JSON.stringify([corpus.vocabulary, corpus.seed, corpus.vocabularySize]), ...split(corpus.train), ...split(corpus.test)];
}

const dir = mkdtempSync(path.join(os.tmpdir(), "stepwise-cache-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("binary cache file", () => {
  const entry = {
    meta: { version: 1, words: ["a", "b"] },
    arrays: {
      bytes: Uint8Array.from([1, 2, 3]),
      ids: Uint16Array.from([65_535, 0, 7]),
      offsets: Uint32Array.from([0, 3, 4_000_000_000]),
      ints: Int32Array.from([-5, 9]),
      floats: Float32Array.from([0.5, -1.25]),
    },
  };

  it("round-trips arrays (types and values) and meta, leaving no temp file", () => {
    const file = path.join(dir, "nested", "roundtrip.bin");
    expect(writeCacheFile(file, entry)).toBe(true);
    expect(readCacheFile(file)).toEqual(entry);
    expect(readCacheMeta(file)).toEqual(entry.meta);
    expect(readdirSync(path.dirname(file))).toEqual(["roundtrip.bin"]);
  });

  const variants: [string, (bytes: Buffer) => Buffer][] = [
    ["truncated", (b) => b.subarray(0, b.length - 3)],
    ["extended", (b) => Buffer.concat([b, Buffer.alloc(8)])],
    [
      "a flipped payload byte",
      (b) => {
        const copy = Buffer.from(b);
        copy[copy.length - 9] = (copy[copy.length - 9] ?? 0) ^ 0xff;
        return copy;
      },
    ],
    ["a wrong magic", (b) => Buffer.concat([Buffer.from("NOTCACHE"), b.subarray(8)])],
    [
      "a future format version",
      (b) => {
        const copy = Buffer.from(b);
        copy.writeUInt32LE(99, 8);
        return copy;
      },
    ],
    [
      "a huge header length",
      (b) => {
        const copy = Buffer.from(b);
        copy.writeUInt32LE(0xffffffff, 12);
        return copy;
      },
    ],
    [
      "garbage JSON",
      (b) => {
        const copy = Buffer.from(b);
        copy[16] = 0x7b + 1;
        return copy;
      },
    ],
    ["an empty file", () => Buffer.alloc(0)],
  ];
  it.each(variants)("treats %s as a miss", (_name, edit) => {
    const file = path.join(dir, "corrupt.bin");
    writeCacheFile(file, entry);
    writeFileSync(file, edit(readFileSync(file)));
    expect(readCacheFile(file)).toBeUndefined();
  });

  it("treats a missing file as a miss", () => {
    expect(readCacheFile(path.join(dir, "absent.bin"))).toBeUndefined();
    expect(readCacheMeta(path.join(dir, "absent.bin"))).toBeUndefined();
  });
});

describe("IMDB cache", () => {
  it("serves a hit without reading reviews.json, gives identical content, and rebuilds a corrupt file", () => {
    const cacheDir = path.join(dir, "imdb");
    // Every 20th real review (both labels: the file is sorted by label): what is cached and checked is
    // the same per review, and the corpus is built twice here, in a twentieth of the full set's time.
    const reviewsFile = path.join(dir, "reviews-slice.json");
    writeFileSync(reviewsFile, JSON.stringify(readImdbReviews().filter((_, i) => i % 20 === 0)));
    const options = { cacheDir, vocabularySize: 5000, seed: 7, reviewsFile };
    const cold = loadImdbCorpus(options);
    // A hit must not touch the source at all (speed is measured in `pnpm bench`, not here).
    const warm = loadImdbCorpus({ ...options, reviewsFile: path.join(dir, "no-such-reviews.json") });
    const digest = corpusDigest(cold);
    expect(corpusDigest(warm)).toEqual(digest);
    expect(warm.train.ids.constructor).toBe(cold.train.ids.constructor);
    expect(readdirSync(cacheDir).sort()).toEqual(
      Object.values(imdbCacheFiles(options))
        .map((f) => path.basename(f))
        .sort(),
    );

    const file = imdbCacheFiles(options).train;
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0x55;
    writeFileSync(file, bytes);
    expect(readCacheFile(file)).toBeUndefined();
    expect(corpusDigest(loadImdbCorpus(options))).toEqual(digest);
    expect(readCacheFile(file)).toBeDefined();
  });
});
