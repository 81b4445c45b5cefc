import type { DataSlice, DatasetRef } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import { denseSet, gatherLabels, limit, limitIndices } from "@stepwise/core/datasets";
import {
  loadImdbTestInputs,
  loadImdbTestLabels,
  loadImdbTrain,
  loadMnistSet,
  loadMnistTestInputs,
  loadMnistTestLabels,
} from "@stepwise/core/datasets/node";
import { prepareImageInputs, type ExampleSet, type InputScaling } from "@stepwise/core/datasets";
import { csvGrading, type CsvGrading, type CsvScaling, type CsvTrainingData } from "./csv";
import type { PrepareOptions } from "./prepare";
import type { ScoreData } from "./score";
export { taskOf, type TaskInfo } from "./task";

export interface DataOptions {
  slice: DataSlice;
  seed: number;
  cacheDir?: string;
  /** CSV datasets: the rows `csvGrading` encoded in the grader's parent (train with labels, test inputs). */
  csv?: CsvTrainingData;
  /** Guided courses: step 4's scaling of MNIST's pixels (a CSV's is applied when the parent encodes it); default ÷ 255. */
  scaling?: InputScaling;
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
      return prepareImageInputs(
        {
          train: sliced(loadMnistSet("train", files), options.slice.trainLimit, options.seed),
          testInputs: sliced(loadMnistTestInputs(files), options.slice.testLimit, options.seed),
        },
        options.scaling,
      );
    case "imdb": {
      const imdb = { ...files, vocabularySize: dataset.vocabularySize, sequenceLength: dataset.sequenceLength };
      return {
        train: sliced(loadImdbTrain(imdb), options.slice.trainLimit, options.seed),
        testInputs: sliced(loadImdbTestInputs(imdb), options.slice.testLimit, options.seed),
      };
    }
    case "csv": {
      if (!options.csv)
        throw new ValidationError(
          `The CSV dataset ${dataset.file} must be encoded by the grader before training; no rows were given.`,
          "dataset",
        );
      const { inputSize, trainInputs, trainLabels, testInputs } = options.csv;
      // Slices were taken when the parent encoded the rows.
      return {
        train: denseSet(trainInputs, inputSize, { labels: trainLabels, name: `${dataset.file} training rows` }),
        testInputs: denseSet(testInputs, inputSize, { name: `${dataset.file} test inputs` }),
      };
    }
  }
}

/** What the grader's parent holds for one job: the hidden test labels, and for a CSV its encoded rows. */
export interface GradingData {
  /** Class index per test example, or the target value (regression), in the order predictions come back. */
  testLabels: Int32Array | Float32Array;
  csv?: CsvGrading;
}

/**
 * Loads the hidden test labels (and, for a CSV, encodes the dataset) in the grader's parent.
 * `csvText` is the CSV's content, resolved by the caller (a course's uploaded dataset, a course
 * folder's file or the built-in data directory); `csvSplitSeed` the seed of its fixed test split (an
 * uploaded dataset's stored one; default the built-in tables').
 */
export function loadGradingData(
  dataset: DatasetRef,
  options: DataOptions & { csvText?: string; csvSplitSeed?: number; csvScaling?: CsvScaling },
): GradingData {
  if (dataset.kind !== "csv") return { testLabels: loadTestLabels(dataset, options) };
  if (options.csvText === undefined) throw new ValidationError(`The CSV dataset ${dataset.file} has no content to grade on.`, "dataset");
  const csv = csvGrading(options.csvText, dataset, {
    seed: options.seed,
    slice: options.slice,
    ...(options.csvSplitSeed !== undefined ? { splitSeed: options.csvSplitSeed } : {}),
    ...(options.csvScaling ? { scaling: options.csvScaling } : {}),
  });
  return { testLabels: csv.testLabels, csv };
}

/** The hidden labels of the same MNIST/IMDB test examples `loadTrainingData` hands out, in the same order. */
export function loadTestLabels(dataset: DatasetRef, options: DataOptions): Int32Array {
  const files = { cacheDir: options.cacheDir };
  switch (dataset.kind) {
    case "mnist":
      return sliceLabels(loadMnistTestLabels(files), options);
    case "imdb":
      // Also warms the IMDB cache, so the training child reads binary files and never builds from the labelled JSON.
      return sliceLabels(loadImdbTestLabels({ ...files, vocabularySize: dataset.vocabularySize }), options);
    case "csv":
      throw new ValidationError(
        `The test labels of the CSV dataset ${dataset.file} come with its encoding: use loadGradingData.`,
        "dataset",
      );
  }
}

function sliceLabels(labels: Int32Array, options: DataOptions): Int32Array {
  const count = options.slice.testLimit;
  return count !== undefined && count < labels.length ? gatherLabels(labels, limitIndices(labels.length, count, options.seed)) : labels;
}

/**
 * What scoring and `prepareTraining` need from the loaded data beyond its labels: for a CSV, the
 * encoded input width and classes (checked against the model) and, for regression, the training
 * mean of the target (the dumb baseline's prediction).
 */
export function gradingFacts(grading: GradingData, dataset: DatasetRef): { prepare: PrepareOptions; score: ScoreData } {
  const csv = grading.csv;
  if (!csv || dataset.kind !== "csv") return { prepare: {}, score: {} };
  return {
    prepare: {
      csv: {
        file: csv.facts.file,
        inputSize: csv.facts.inputSize,
        encoding: csv.facts.encoding,
        trainSize: csv.facts.trainSize,
        numClasses: csv.task.numClasses,
      },
    },
    score: {
      target: dataset.target,
      ...(csv.facts.classes ? { classes: csv.facts.classes } : {}),
      ...(csv.training.targetScale ? { trainMean: csv.training.targetScale.mean } : {}),
    },
  };
}
