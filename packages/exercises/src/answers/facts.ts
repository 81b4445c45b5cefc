import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DatasetRef } from "@stepwise/core/contracts";
import { type CsvTable, classBalance, CSV_SPLIT_SEED, parseCsv, splitIndices, type TaskType } from "@stepwise/core/datasets";
import { imdbFacts, mnistFacts } from "@stepwise/core/datasets/node";

// Next's bundler leaves `import.meta.dirname` undefined in server chunks; `import.meta.url` is always defined.
const here = (import.meta.dirname as string | undefined) ?? dirname(fileURLToPath(import.meta.url));

/** Where built-in CSV datasets live (`packages/exercises/data`). */
export const builtInDataDir = resolve(here, "..", "..", "data");

/** Test share of a CSV dataset: the grader keeps it hidden, as MNIST and IMDB keep their test files. */
export const CSV_TEST_FRACTION = 0.2;

export interface AnswerOptions {
  /** IMDB token cache (default: core's default cache directory). */
  cacheDir?: string;
  /** Directory relative CSV `file`s resolve against: the course folder; default the built-in data directory. */
  dataDir?: string;
  /** The CSV's text, when it is not read from a file (a dataset uploaded into a course, from the database). */
  csvText?: string;
  /**
   * The seed of that CSV's fixed test split: an uploaded dataset's stored `splitSeed`. Default
   * `CSV_SPLIT_SEED`, the built-in tables' (and a course folder's files').
   */
  csvSplitSeed?: number;
}

/** What steps 1–3 are checked against, measured from the training data. */
export interface AnswerFacts {
  kind: DatasetRef["kind"];
  task: TaskType;
  /** Distinct classes of the target (0 for regression). */
  classes: number;
  /** Share of each class in the training split (empty for regression). */
  classBalance: number[];
  /** Class names, for messages ("default = 1"). */
  classNames: string[];
  trainSize: number;
}

export function csvPath(dataset: Extract<DatasetRef, { kind: "csv" }>, options: AnswerOptions): string {
  return isAbsolute(dataset.file) ? dataset.file : join(options.dataDir ?? builtInDataDir, dataset.file);
}

export interface CsvTraining {
  table: CsvTable;
  train: Int32Array;
  test: Int32Array;
}

/** The CSV's text: given (uploaded into a course) or read from its file. */
export function csvText(dataset: Extract<DatasetRef, { kind: "csv" }>, options: AnswerOptions): string {
  return options.csvText ?? readFileSync(csvPath(dataset, options), "utf8");
}

/** The loader options for a dataset uploaded into a course: its text and its stored split seed. */
export function uploadedCsv(dataset: { csv: string; splitSeed: number }): Required<Pick<AnswerOptions, "csvText" | "csvSplitSeed">> {
  return { csvText: dataset.csv, csvSplitSeed: dataset.splitSeed };
}

/**
 * The dataset's fixed split of a parsed table: a 20% test share drawn with the dataset's own split
 * seed, the rest training rows. No assignment seed goes in: every assignment, preview and facts
 * sample on one dataset sees the same test rows held back.
 */
export function splitCsv(table: CsvTable, splitSeed: number = CSV_SPLIT_SEED): Omit<CsvTraining, "table"> {
  const split = splitIndices(table.n, { validationFraction: 0, testFraction: CSV_TEST_FRACTION, seed: splitSeed });
  return { train: split.train, test: split.test };
}

/** The CSV parsed and split as the grader splits it: the fixed test share is never looked at. */
export function loadCsvTraining(dataset: Extract<DatasetRef, { kind: "csv" }>, options: AnswerOptions): CsvTraining {
  const table = parseCsv(csvText(dataset, options), { target: dataset.target, task: dataset.task });
  return { table, ...splitCsv(table, options.csvSplitSeed) };
}

export function answerFacts(dataset: DatasetRef, options: AnswerOptions = {}): AnswerFacts {
  switch (dataset.kind) {
    case "mnist": {
      const facts = mnistFacts();
      const balance = facts.classBalance ?? [];
      return {
        kind: "mnist",
        task: "multiclass",
        classes: balance.length,
        classBalance: balance,
        classNames: balance.map((_, i) => `digit ${i}`),
        trainSize: facts.trainSize,
      };
    }
    case "imdb": {
      const facts = imdbFacts({ vocabularySize: dataset.vocabularySize, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
      const balance = facts.classBalance ?? [];
      return {
        kind: "imdb",
        task: "binary",
        classes: balance.length,
        classBalance: balance,
        classNames: ["negative reviews", "positive reviews"],
        trainSize: facts.trainSize,
      };
    }
    case "csv": {
      const { table, train } = loadCsvTraining(dataset, options);
      const names = table.classes ?? [];
      const labels = Int32Array.from(train, (row) => table.labels[row] ?? -1);
      const balance = table.task === "regression" ? [] : classBalance(labels, names.length);
      return {
        kind: "csv",
        task: table.task,
        classes: names.length,
        classBalance: balance,
        classNames: names.map((name) => `${table.target} = ${name}`),
        trainSize: train.length,
      };
    }
  }
}

/** "8.1%" */
export const percent = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
/** "60,000" */
export const count = (n: number): string => n.toLocaleString("en-US");
