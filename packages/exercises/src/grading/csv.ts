import { z } from "zod";
import type { DataSlice, DatasetRef } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import {
  classBalance,
  encodeCsv,
  fitCsvEncoder,
  fitTargetScale,
  gatherLabels,
  limitIndices,
  materialize,
  parseCsv,
  scaleTargets,
  type CsvEncoder,
} from "@stepwise/core/datasets";
import { splitCsv } from "../answers/facts";
import type { TaskInfo } from "./task";

/**
 * What a training child receives of a CSV dataset, already encoded by the grader's parent: training
 * rows with their labels, and test rows as inputs only. The hidden test labels never cross over.
 */
const floats = z.custom<Float32Array>((value) => value instanceof Float32Array, { message: "expected a Float32Array" });
const ints = z.custom<Int32Array>((value) => value instanceof Int32Array, { message: "expected an Int32Array" });

export const CsvTrainingData = z
  .object({
    /** Floats per encoded row: standardized numeric columns, then one-hot categories. */
    inputSize: z.number().int().min(1),
    trainInputs: floats,
    /** Class index per training row, or the standardized target (regression). */
    trainLabels: z.union([ints, floats]),
    testInputs: floats,
    /** Regression: mean and std of the training targets; outputs are mapped back to the target's unit with them. */
    targetScale: z.object({ mean: z.number().finite(), std: z.number().positive() }).strict().optional(),
  })
  .strict();
export type CsvTrainingData = z.infer<typeof CsvTrainingData>;

/** What a student may know of an encoded CSV: sizes and the columns the model's input must match. */
export interface CsvFacts {
  file: string;
  inputSize: number;
  /** Encoded input columns: numeric names, then `column=value` per one-hot category. */
  featureNames: string[];
  /** The encoding in words, for messages about the model's input shape. */
  encoding: string;
  trainSize: number;
  testSize: number;
  /** Classification: class names, in label order. */
  classes?: string[];
  /** Classification: share of each class among training rows. */
  classBalance?: number[];
}

export interface CsvGrading {
  training: CsvTrainingData;
  /** Hidden: class index, or the target in its own unit, per test row. Stays in the grader's parent. */
  testLabels: Int32Array | Float32Array;
  task: TaskInfo;
  facts: CsvFacts;
}

/** Encoded floats one job may hold (rows × encoded columns): 100 MB of float32. */
export const MAX_CSV_FLOATS = 25_000_000;

const sliceOf = (rows: Int32Array, count: number | undefined, seed: number): Int32Array =>
  count !== undefined && count < rows.length ? gatherLabels(rows, limitIndices(rows.length, count, seed)) : rows;

/** "4 numeric columns (standardized) and 9 one-hot columns for employment, housing" */
export function describeEncoding(encoder: Pick<CsvEncoder, "featureNames" | "categories">): string {
  const categorical = Object.keys(encoder.categories);
  const oneHot = categorical.reduce((n, c) => n + (encoder.categories[c]?.length ?? 0), 0);
  const numeric = encoder.featureNames.length - oneHot;
  const parts = [`${numeric} numeric column${numeric === 1 ? "" : "s"} (standardized)`];
  if (categorical.length > 0) parts.push(`${oneHot} one-hot column${oneHot === 1 ? "" : "s"} for ${categorical.join(", ")}`);
  return parts.join(" and ");
}

/**
 * A CSV dataset as the grader trains on it: the dataset's fixed 20% test split (`splitSeed`, the
 * same one steps 1–4 hold back, whatever the assignment's seed), slices seeded with `seed`, numeric
 * columns standardized and categories one-hot encoded with statistics of the training rows only,
 * regression targets standardized the same way.
 */
export function csvGrading(text: string, dataset: Extract<DatasetRef, { kind: "csv" }>, options: { seed: number; slice: DataSlice; splitSeed?: number }): CsvGrading {
  const table = parseCsv(text, { target: dataset.target, task: dataset.task });
  const split = splitCsv(table, options.splitSeed);
  const train = sliceOf(split.train, options.slice.trainLimit, options.seed);
  const test = sliceOf(split.test, options.slice.testLimit, options.seed);
  if (test.length === 0) throw new ValidationError(`${dataset.file} has ${table.n} rows: too few to hold back a test split`, "dataset");
  const encoder = fitCsvEncoder(table, train, { standardize: true });
  const values = (train.length + test.length) * encoder.inputSize;
  if (values > MAX_CSV_FLOATS) {
    throw new ValidationError(
      `${dataset.file} encodes to ${table.n} rows × ${encoder.inputSize} columns (${describeEncoding(encoder)}), more than ${MAX_CSV_FLOATS.toLocaleString("en-US")} values; drop columns with many categories`,
      "dataset",
    );
  }
  const trainInputs = materialize(encodeCsv(table, encoder, train, { withLabels: false }));
  const testInputs = materialize(encodeCsv(table, encoder, test, { withLabels: false }));
  const classes = table.classes;
  const facts: CsvFacts = {
    file: dataset.file,
    inputSize: encoder.inputSize,
    featureNames: encoder.featureNames,
    encoding: describeEncoding(encoder),
    trainSize: train.length,
    testSize: test.length,
    ...(classes ? { classes, classBalance: classBalance(gatherLabels(table.labels, train), classes.length) } : {}),
  };
  const task: TaskInfo = { kind: table.task, numClasses: table.task === "multiclass" ? (classes?.length ?? 0) : 1 };
  if (table.labels instanceof Float32Array) {
    const targetScale = fitTargetScale(table.labels, train);
    return {
      training: { inputSize: encoder.inputSize, trainInputs, trainLabels: scaleTargets(table.labels, train, targetScale), testInputs, targetScale },
      testLabels: gatherLabels(table.labels, test),
      task,
      facts,
    };
  }
  return {
    training: { inputSize: encoder.inputSize, trainInputs, trainLabels: gatherLabels(table.labels, train), testInputs },
    testLabels: gatherLabels(table.labels, test),
    task,
    facts,
  };
}
