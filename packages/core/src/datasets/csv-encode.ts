import { ValidationError } from "../contracts/errors";
import { type CsvOptions, type CsvTable, parseCsv } from "./csv";
import { classBalance, denseSet, gatherLabels } from "./sets";
import { splitIndices } from "./splits";
import type { DatasetFacts, ExampleSet } from "./types";

export interface CsvEncoder {
  /** Input column names: numeric columns as is, categorical ones as `column=value`. */
  featureNames: string[];
  /** Per categorical column, the categories seen on training rows (sorted); others encode as all zeros. */
  categories: Record<string, string[]>;
  inputSize: number;
}

/**
 * One-hot categories fitted on `trainIndices` only, so a category that appears only in
 * validation or test rows gets no column (and encodes as all zeros there).
 */
export function fitCsvEncoder(table: CsvTable, trainIndices: ArrayLike<number>, options: { maxCategories?: number } = {}): CsvEncoder {
  const maxCategories = options.maxCategories ?? 1000;
  const featureNames: string[] = [];
  const categories: Record<string, string[]> = {};
  for (const feature of table.features) {
    if (!feature.strings) {
      featureNames.push(feature.name);
      continue;
    }
    const seen = new Set<string>();
    for (let i = 0; i < trainIndices.length; i++) seen.add(feature.strings[trainIndices[i] ?? 0] ?? "");
    if (seen.size > maxCategories) {
      throw new ValidationError(
        `column \`${feature.name}\` has ${seen.size} distinct values on training rows, at most ${maxCategories} can be one-hot encoded; drop it or mark it numeric`,
        feature.name,
      );
    }
    const sorted = [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    categories[feature.name] = sorted;
    for (const value of sorted) featureNames.push(`${feature.name}=${value}`);
  }
  return { featureNames, categories, inputSize: featureNames.length };
}

/** Dense encoded rows of `indices` (default all rows), with labels. */
export function encodeCsv(table: CsvTable, encoder: CsvEncoder, indices?: ArrayLike<number>): ExampleSet {
  const rows = indices ?? Int32Array.from({ length: table.n }, (_, i) => i);
  const width = encoder.inputSize;
  const data = new Float32Array(rows.length * width);
  let offset = 0;
  for (const feature of table.features) {
    const known = encoder.categories[feature.name];
    if (feature.numbers) {
      for (let r = 0; r < rows.length; r++) data[r * width + offset] = feature.numbers[rows[r] ?? 0] ?? 0;
      offset += 1;
    } else if (feature.strings && known) {
      const column = new Map(known.map((value, k) => [value, k]));
      for (let r = 0; r < rows.length; r++) {
        const k = column.get(feature.strings[rows[r] ?? 0] ?? "");
        if (k !== undefined) data[r * width + offset + k] = 1;
      }
      offset += known.length;
    }
  }
  return denseSet(data, width, { labels: gatherLabels(table.labels, rows), name: "CSV" });
}

export interface PreparedCsv {
  facts: DatasetFacts;
  table: CsvTable;
  encoder: CsvEncoder;
  train: ExampleSet;
  validation: ExampleSet;
  test: ExampleSet;
  split: { train: Int32Array; validation: Int32Array; test: Int32Array };
}

/** parseCsv → seeded split → encoder fitted on train rows → encoded sets and facts. */
export function prepareCsv(
  text: string,
  options: CsvOptions & { name?: string; seed: number; validationFraction: number; testFraction: number; maxCategories?: number },
): PreparedCsv {
  const table = parseCsv(text, options);
  const split = splitIndices(table.n, options);
  const encoder = fitCsvEncoder(table, split.train, options);
  const train = encodeCsv(table, encoder, split.train);
  const numClasses = table.task === "multiclass" ? (table.classes?.length ?? 0) : 1;
  const facts: DatasetFacts = {
    name: options.name ?? "csv",
    task: table.task,
    numClasses,
    naturalShape: [encoder.inputSize],
    trainSize: split.train.length,
    testSize: split.test.length,
    ...(table.classes && train.labels ? { classBalance: classBalance(train.labels, table.classes.length) } : {}),
  };
  return {
    facts,
    table,
    encoder,
    train,
    validation: encodeCsv(table, encoder, split.validation),
    test: encodeCsv(table, encoder, split.test),
    split,
  };
}
