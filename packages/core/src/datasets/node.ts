/**
 * `@stepwise/core/datasets/node`: the dataset loaders that read files and binary caches (MNIST IDX,
 * IMDB reviews, the cache itself) and the facts measured from them. Node only; the pure encoders,
 * splits and CSV parsing are `@stepwise/core/datasets`, and what a browser may import is
 * `@stepwise/core/browser`.
 */
export * from "./mnist";
export * from "./imdb";
export * from "./cache";
export * from "./facts";
