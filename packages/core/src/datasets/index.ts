// Pure: no file access. The loaders that read files and caches are `./node` (`@stepwise/core/datasets/node`).
export type * from "./types";
export * from "./random";
export * from "./sets";
export * from "./byte-rows";
export * from "./splits";
export * from "./standardize";
export * from "./idx";
export * from "./tokenize";
export * from "./vocabulary";
export * from "./imdb-corpus";
export * from "./imdb-sets";
export * from "./csv";
export * from "./csv-encode";
export * from "./preparation";
export * from "./features";
