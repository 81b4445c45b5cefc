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
  selectFeatures,
  type CsvEncoder,
  type InputScaling,
} from "@stepwise/core/datasets";
import type { FeatureSelection } from "@stepwise/core/contracts";
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
  /** How the numeric columns were scaled (statistics of the training rows only). */
  scaling?: CsvScaling;
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

const SCALED: Record<CsvScaling, string> = {
  standardize: "standardized",
  "min-max": "min-max scaled to [0, 1] on training rows",
  none: "unscaled",
};

/** How a table's numeric columns are scaled; the built-in default (and an independent course's) is standardize. */
export type CsvScaling = Exclude<InputScaling, "divide-255">;

/** "4 numeric columns (standardized) and 9 one-hot columns for employment, housing" */
export function describeEncoding(encoder: Pick<CsvEncoder, "featureNames" | "categories">, scaling: CsvScaling = "standardize"): string {
  const categorical = Object.keys(encoder.categories).filter((c) => encoder.featureNames.some((f) => f.startsWith(`${c}=`)));
  const oneHot = encoder.featureNames.filter((f) => categorical.some((c) => f.startsWith(`${c}=`))).length;
  const numeric = encoder.featureNames.length - oneHot;
  const parts = [`${numeric} numeric column${numeric === 1 ? "" : "s"} (${SCALED[scaling]})`];
  if (categorical.length > 0) parts.push(`${oneHot} one-hot column${oneHot === 1 ? "" : "s"} for ${categorical.join(", ")}`);
  return parts.join(" and ");
}

/**
 * A CSV dataset as the grader trains on it: the dataset's fixed 20% test split (`splitSeed`, the
 * same one steps 1–4 hold back, whatever the assignment's seed), slices seeded with `seed`, numeric
 * columns standardized and categories one-hot encoded with statistics of the training rows only,
 * regression targets standardized the same way.
 */
export function csvGrading(
  text: string,
  dataset: Extract<DatasetRef, { kind: "csv" }>,
  options: { seed: number; slice: DataSlice; splitSeed?: number; scaling?: CsvScaling },
): CsvGrading {
  const table = parseCsv(text, { target: dataset.target, task: dataset.task });
  const split = splitCsv(table, options.splitSeed);
  const train = sliceOf(split.train, options.slice.trainLimit, options.seed);
  const test = sliceOf(split.test, options.slice.testLimit, options.seed);
  if (test.length === 0) throw new ValidationError(`${dataset.file} has ${table.n} rows: too few to hold back a test split`, "dataset");
  const scaling = options.scaling ?? "standardize";
  const encoder = fitCsvEncoder(table, train, { scaling });
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
    encoding: describeEncoding(encoder, scaling),
    scaling,
    trainSize: train.length,
    testSize: test.length,
    ...(classes ? { classes, classBalance: classBalance(gatherLabels(table.labels, train), classes.length) } : {}),
  };
  const task: TaskInfo = { kind: table.task, numClasses: table.task === "multiclass" ? (classes?.length ?? 0) : 1 };
  if (table.labels instanceof Float32Array) {
    const targetScale = fitTargetScale(table.labels, train);
    return {
      training: {
        inputSize: encoder.inputSize,
        trainInputs,
        trainLabels: scaleTargets(table.labels, train, targetScale),
        testInputs,
        targetScale,
      },
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

/**
 * The table with the student's dropped columns left out (`training.features.drop`, step 7), training
 * rows and test inputs alike, through core's `selectFeatures` — the function the browser preview
 * applies to the same rows. Facts follow (input width, column names, encoding).
 */
export function withoutFeatures(csv: CsvGrading, selection: FeatureSelection | undefined, target: string): CsvGrading {
  if (!selection || selection.drop.length === 0) return csv;
  const { training, facts } = csv;
  const context = { file: facts.file, target };
  const train = selectFeatures(
    { inputs: training.trainInputs, width: training.inputSize, featureNames: facts.featureNames },
    selection,
    context,
  );
  const test = selectFeatures(
    { inputs: training.testInputs, width: training.inputSize, featureNames: facts.featureNames },
    selection,
    context,
  );
  const names = [...train.featureNames];
  const categories = Object.fromEntries(
    [...new Set(names.filter((n) => n.includes("=")).map((n) => n.slice(0, n.indexOf("="))))].map((c) => [c, []]),
  );
  const encoding = `${describeEncoding({ featureNames: names, categories }, facts.scaling)}, without ${selection.drop.map((d) => `\`${d}\``).join(", ")}`;
  return {
    ...csv,
    training: { ...training, inputSize: train.width, trainInputs: train.inputs, testInputs: test.inputs },
    facts: { ...facts, inputSize: train.width, featureNames: names, encoding },
  };
}
