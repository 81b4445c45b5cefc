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
  /**
   * Per numeric column, mean and population std over the training rows (std 1 for a constant column,
   * so it encodes as 0, not NaN). Present when fitted with `standardize` (or `scaling`); `encodeCsv` then
   * writes (x − mean) / std. With `scaling: "min-max"` they are the training minimum and range instead.
   */
  numericStats?: Record<string, { mean: number; std: number }>;
}

function meanStd(values: Float64Array, rows: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < rows.length; i++) sum += values[rows[i] ?? 0] ?? 0;
  const mean = rows.length > 0 ? sum / rows.length : 0;
  // Two passes: the one-pass formula loses the variance of prices in the 100,000s to cancellation.
  let sq = 0;
  for (let i = 0; i < rows.length; i++) sq += ((values[rows[i] ?? 0] ?? 0) - mean) ** 2;
  const std = rows.length > 0 ? Math.sqrt(sq / rows.length) : 0;
  return { mean, std: std > 1e-12 * Math.max(1, Math.abs(mean)) ? std : 1 };
}

/** Min-max scaling as (x − min) / (max − min) over the training rows: `mean` is the minimum, `std` the range (1 for a constant column). */
function minRange(values: Float64Array, rows: ArrayLike<number>): { mean: number; std: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i] ?? 0] ?? 0;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) return { mean: 0, std: 1 };
  return { mean: lo, std: hi - lo > 0 ? hi - lo : 1 };
}

/**
 * One-hot categories fitted on `trainIndices` only, so a category that appears only in
 * validation or test rows gets no column (and encodes as all zeros there). With `standardize`,
 * numeric columns are standardized with statistics of the same training rows: statistics that
 * saw test rows would leak them into the model.
 */
export function fitCsvEncoder(
  table: CsvTable,
  trainIndices: ArrayLike<number>,
  options: { maxCategories?: number; standardize?: boolean; scaling?: "standardize" | "min-max" | "none" } = {},
): CsvEncoder {
  const maxCategories = options.maxCategories ?? 1000;
  const scaling = options.scaling ?? (options.standardize ? "standardize" : "none");
  const featureNames: string[] = [];
  const categories: Record<string, string[]> = {};
  const numericStats: Record<string, { mean: number; std: number }> = {};
  for (const feature of table.features) {
    if (feature.numbers) {
      featureNames.push(feature.name);
      if (scaling === "standardize") numericStats[feature.name] = meanStd(feature.numbers, trainIndices);
      if (scaling === "min-max") numericStats[feature.name] = minRange(feature.numbers, trainIndices);
      continue;
    }
    if (!feature.strings) continue;
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
  return { featureNames, categories, inputSize: featureNames.length, ...(scaling !== "none" ? { numericStats } : {}) };
}

/**
 * Dense encoded rows of `indices` (default all rows), with labels unless `withLabels` is false
 * (the test inputs a training child receives).
 */
export function encodeCsv(
  table: CsvTable,
  encoder: CsvEncoder,
  indices?: ArrayLike<number>,
  options: { withLabels?: boolean } = {},
): ExampleSet {
  const rows = indices ?? Int32Array.from({ length: table.n }, (_, i) => i);
  const width = encoder.inputSize;
  const data = new Float32Array(rows.length * width);
  let offset = 0;
  for (const feature of table.features) {
    const known = encoder.categories[feature.name];
    if (feature.numbers) {
      const { mean, std } = encoder.numericStats?.[feature.name] ?? { mean: 0, std: 1 };
      for (let r = 0; r < rows.length; r++) data[r * width + offset] = ((feature.numbers[rows[r] ?? 0] ?? 0) - mean) / std;
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
  return denseSet(data, width, { ...(options.withLabels === false ? {} : { labels: gatherLabels(table.labels, rows) }), name: "CSV" });
}

/** Regression targets are standardized like features; predictions are mapped back to the target's unit. */
export interface TargetScale {
  mean: number;
  std: number;
}

/** Mean and population std of the targets of the training rows (std 1 for a constant target). */
export function fitTargetScale(labels: Float32Array, trainIndices: ArrayLike<number>): TargetScale {
  return meanStd(Float64Array.from(labels), trainIndices);
}

/** (y − mean) / std for the rows of `indices`, as the model trains on them. */
export function scaleTargets(labels: Float32Array, indices: ArrayLike<number>, scale: TargetScale): Float32Array {
  return Float32Array.from({ length: indices.length }, (_, i) => ((labels[indices[i] ?? 0] ?? 0) - scale.mean) / scale.std);
}

/** A model output in standardized units, back in the target's unit. */
export const unscaleTarget = (value: number, scale: TargetScale): number => value * scale.std + scale.mean;

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
