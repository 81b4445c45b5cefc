import { classBalance, fitCsvEncoder, gatherLabels, parseCsv, type CsvColumnKind, type TaskType } from "@stepwise/core/datasets";
import { describeEncoding } from "../grading/csv";
import { CSV_TEST_FRACTION, splitCsv } from "./facts";

export interface CsvPreview {
  file: string;
  target: string;
  task: TaskType;
  rows: number;
  /** Rows the models train (and validate) on. */
  trainRows: number;
  /** Rows held back as the hidden test split (20%, fixed with the dataset). */
  testRows: number;
  testFraction: number;
  columns: Array<{ name: string; kind: CsvColumnKind | "target"; distinct: number }>;
  /** Classification: each class with its count and share among the training rows. */
  classes?: Array<{ name: string; count: number; share: number }>;
  /** Regression: the target over the training rows. */
  targetSummary?: { min: number; max: number; mean: number; std: number };
  /** Width of the input a model must take, and how the grader encodes a row. */
  inputSize: number;
  encoding: string;
  /** The first few training rows, as text, in header order. Never a test row. */
  sample: string[][];
}

/**
 * What an instructor sees of a CSV for a chosen target and task, computed as the grader will use
 * the data: the dataset's fixed test split is counted but never shown — balance, target range and sample
 * rows come from the training rows only. Throws the parser's `ValidationError` (line, column) when
 * the target does not fit the task.
 */
export function previewCsv(
  text: string,
  options: { file: string; target: string; task: TaskType; splitSeed: number; sampleRows?: number },
): CsvPreview {
  const table = parseCsv(text, { target: options.target, task: options.task });
  const { train, test } = splitCsv(table, options.splitSeed);
  const encoder = fitCsvEncoder(table, train, { standardize: true });
  const byName = new Map(table.features.map((f) => [f.name, f]));
  const trainLabels = gatherLabels(table.labels, train);
  const distinct = (name: string): number => {
    const feature = byName.get(name);
    if (name === table.target) return new Set(table.labels).size;
    return new Set<string | number>(feature?.strings ?? feature?.numbers ?? []).size;
  };
  const cell = (name: string, row: number): string => {
    if (name === table.target) {
      const label = table.labels[row] ?? 0;
      return table.classes ? (table.classes[label] ?? "") : String(label);
    }
    const feature = byName.get(name);
    return feature?.strings ? (feature.strings[row] ?? "") : String(feature?.numbers?.[row] ?? "");
  };
  const classes = table.classes;
  let targetSummary: CsvPreview["targetSummary"];
  if (!classes) {
    const values = [...trainLabels];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    targetSummary = {
      min: Math.min(...values),
      max: Math.max(...values),
      mean,
      std: Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length),
    };
  }
  const balance = classes ? classBalance(trainLabels, classes.length) : [];
  return {
    file: options.file,
    target: table.target,
    task: table.task,
    rows: table.n,
    trainRows: train.length,
    testRows: test.length,
    testFraction: CSV_TEST_FRACTION,
    columns: table.header.map((name) => ({
      name,
      kind: name === table.target ? "target" : (byName.get(name)?.kind ?? "categorical"),
      distinct: distinct(name),
    })),
    ...(classes
      ? { classes: classes.map((name, k) => ({ name, share: balance[k] ?? 0, count: Math.round((balance[k] ?? 0) * train.length) })) }
      : {}),
    ...(targetSummary ? { targetSummary } : {}),
    inputSize: encoder.inputSize,
    encoding: describeEncoding(encoder),
    sample: Array.from(train.subarray(0, options.sampleRows ?? 5), (row) => table.header.map((name) => cell(name, row))),
  };
}
