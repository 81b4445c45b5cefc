import type { DataSlice, DatasetRef } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import {
  gatherLabels,
  limit,
  limitIndices,
  loadImdbTestInputs,
  loadImdbTestLabels,
  loadImdbTrain,
  loadMnistSet,
  loadMnistTestInputs,
  loadMnistTestLabels,
} from "@stepwise/core/datasets";
import type { ExampleSet } from "@stepwise/core/datasets";
export { taskOf, type TaskInfo } from "./task";

export interface DataOptions {
  slice: DataSlice;
  seed: number;
  cacheDir?: string;
}

const sliced = (set: ExampleSet, count: number | undefined, seed: number) =>
  count !== undefined && count < set.n ? limit(set, count, seed) : set;

/**
 * What a training child may see: training examples with labels and test *inputs* only.
 * Hidden test labels are loaded by `loadTestLabels`, in the grader's parent process alone.
 */
export function loadTrainingData(dataset: DatasetRef, options: DataOptions): { train: ExampleSet; testInputs: ExampleSet } {
  const files = { cacheDir: options.cacheDir };
  switch (dataset.kind) {
    case "mnist":
      return {
        train: sliced(loadMnistSet("train", files), options.slice.trainLimit, options.seed),
        testInputs: sliced(loadMnistTestInputs(files), options.slice.testLimit, options.seed),
      };
    case "imdb": {
      const imdb = { ...files, vocabularySize: dataset.vocabularySize, sequenceLength: dataset.sequenceLength };
      return {
        train: sliced(loadImdbTrain(imdb), options.slice.trainLimit, options.seed),
        testInputs: sliced(loadImdbTestInputs(imdb), options.slice.testLimit, options.seed),
      };
    }
    default:
      throw new ValidationError(`Dataset "${dataset.kind}" is not gradable yet.`, "dataset");
  }
}

/** The hidden labels of the same test examples `loadTrainingData` hands out, in the same order. */
export function loadTestLabels(dataset: DatasetRef, options: DataOptions): Int32Array {
  const files = { cacheDir: options.cacheDir };
  switch (dataset.kind) {
    case "mnist":
      return sliceLabels(loadMnistTestLabels(files), options);
    case "imdb":
      // Also warms the IMDB cache, so the training child reads binary files and never builds from the labelled JSON.
      return sliceLabels(loadImdbTestLabels({ ...files, vocabularySize: dataset.vocabularySize }), options);
    default:
      throw new ValidationError(`Dataset "${dataset.kind}" is not gradable yet.`, "dataset");
  }
}

function sliceLabels(labels: Int32Array, options: DataOptions): Int32Array {
  const count = options.slice.testLimit;
  return count !== undefined && count < labels.length ? gatherLabels(labels, limitIndices(labels.length, count, options.seed)) : labels;
}
