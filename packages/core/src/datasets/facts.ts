import { type ImdbOptions, imdbFacts } from "./imdb";
import { type MnistFileOptions, mnistFacts } from "./mnist";
import type { DatasetFacts } from "./types";

export type BuiltInDataset = "mnist" | "imdb";

/** Facts a student may see about a built-in dataset (sizes, shape, training class balance). */
export function datasetFacts(name: "mnist", options?: MnistFileOptions): DatasetFacts;
export function datasetFacts(name: "imdb", options?: ImdbOptions): DatasetFacts;
export function datasetFacts(name: BuiltInDataset, options?: MnistFileOptions & ImdbOptions): DatasetFacts;
export function datasetFacts(name: BuiltInDataset, options: MnistFileOptions & ImdbOptions = {}): DatasetFacts {
  return name === "mnist" ? mnistFacts(options) : imdbFacts(options);
}
