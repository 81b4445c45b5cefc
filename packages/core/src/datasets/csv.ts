import { ValidationError } from "../contracts/errors";
import type { TaskType } from "./types";

export type CsvColumnKind = "numeric" | "categorical";

export interface CsvOptions {
  /** Name of the column to predict. */
  target: string;
  task: TaskType;
  /** Column kinds to force; others are inferred (numeric when most non-empty values are numbers). */
  columnTypes?: Record<string, CsvColumnKind>;
  /** Default 50 MiB (UTF-8 bytes). */
  maxBytes?: number;
  /** Data rows, header excluded. Default 200,000. */
  maxRows?: number;
  /** Default 500. */
  maxColumns?: number;
}

export interface CsvFeature {
  name: string;
  kind: CsvColumnKind;
  /** Numeric columns: the values. */
  numbers?: Float64Array;
  /** Categorical columns: the trimmed values ("" is a category of its own). */
  strings?: string[];
}

export interface CsvTable {
  header: string[];
  target: string;
  task: TaskType;
  /** Data rows. */
  n: number;
  /** Every column but the target, in file order. */
  features: CsvFeature[];
  /** Classification: class index into `classes`. Regression: the target value. */
  labels: Int32Array | Float32Array;
  /** Classification: sorted class names (numerically when all are numbers). */
  classes?: string[];
  /** 1-based line on which each data row starts (quoted fields may span lines). */
  lines: Int32Array;
}

export const CSV_DEFAULTS = { maxBytes: 50 * 1024 * 1024, maxRows: 200_000, maxColumns: 500 } as const;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Decimal numbers only: `Number()` would also accept "0x1f", "Infinity" and "" (as 0). */
export const parseCsvNumber = (text: string): number | undefined => (NUMBER.test(text) ? Number(text) : undefined);

function fail(message: string, path = ""): never {
  throw new ValidationError(message, path);
}

/** RFC 4180 records: comma-separated, `"` quotes (doubled inside), CRLF or LF, fields may span lines. */
export function* csvRecords(text: string): Generator<{ line: number; fields: string[] }> {
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const length = text.length;
  while (i < length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        const open = line;
        i++;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote < 0) fail(`line ${open}: quoted field is never closed`, `line ${open}`);
          const chunk = text.slice(i, quote);
          field += chunk;
          for (let k = chunk.indexOf("\n"); k >= 0; k = chunk.indexOf("\n", k + 1)) line++;
          i = quote + 1;
          if (text[i] === '"') {
            field += '"';
            i++;
          } else break;
        }
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
          fail(`line ${line}: expected a comma or end of line after a closing quote, got ${JSON.stringify(next)}`, `line ${line}`);
        }
      } else {
        let end = i;
        while (end < length && text[end] !== "," && text[end] !== "\n" && text[end] !== "\r") end++;
        field = text.slice(i, end);
        i = end;
      }
      fields.push(field);
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "\r") i++;
      if (text[i] === "\n") i++;
      line++;
      break;
    }
    // A blank line is not a record with one empty field.
    if (!(fields.length === 1 && fields[0] === "")) yield { line: start, fields };
  }
}

function inferKind(values: readonly string[]): CsvColumnKind {
  let filled = 0;
  let numeric = 0;
  for (const value of values) {
    if (value === "") continue;
    filled++;
    if (NUMBER.test(value)) numeric++;
  }
  return filled > 0 && numeric * 2 > filled ? "numeric" : "categorical";
}

function columnNumbers(name: string, values: readonly string[], lines: readonly number[]): Float64Array {
  return Float64Array.from(values, (value, r) => {
    const number = parseCsvNumber(value);
    if (number === undefined) {
      fail(
        `line ${lines[r]}, column \`${name}\`: expected a number, got ${value === "" ? "an empty value" : JSON.stringify(value)}`,
        `line ${lines[r]}.${name}`,
      );
    }
    return number ?? 0;
  });
}

const compareClasses = (numeric: boolean) => (a: string, b: string) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0);

interface CsvColumns {
  header: string[];
  /** Trimmed values per column, in header order. */
  columns: string[][];
  /** 1-based line on which each data row starts. */
  lines: number[];
}

/** Header and columns of a CSV within its limits; every row must have the header's number of fields. */
function readColumns(text: string, options: Pick<CsvOptions, "maxBytes" | "maxRows" | "maxColumns">): CsvColumns {
  const maxBytes = options.maxBytes ?? CSV_DEFAULTS.maxBytes;
  const maxRows = options.maxRows ?? CSV_DEFAULTS.maxRows;
  const maxColumns = options.maxColumns ?? CSV_DEFAULTS.maxColumns;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) fail(`CSV must be at most ${maxBytes} bytes, got ${bytes}`);

  const records = csvRecords(text);
  const first = records.next();
  if (first.done) return fail("CSV is empty: expected a header row and at least one data row");
  const header = first.value.fields.map((name) => name.trim());
  if (header.length > maxColumns) fail(`CSV must have at most ${maxColumns} columns, got ${header.length}`);
  header.forEach((name, c) => {
    if (name === "") fail(`line ${first.value.line}: column ${c + 1} has an empty name`);
    if (header.indexOf(name) !== c) fail(`line ${first.value.line}: column \`${name}\` appears twice in the header`);
  });

  const columns: string[][] = header.map(() => []);
  const lines: number[] = [];
  for (const { line, fields } of records) {
    if (lines.length >= maxRows) fail(`CSV must have at most ${maxRows} data rows, got more (line ${line})`);
    if (fields.length !== header.length)
      fail(`line ${line}: expected ${header.length} fields as in the header, got ${fields.length}`, `line ${line}`);
    fields.forEach((value, c) => columns[c]?.push(value.trim()));
    lines.push(line);
  }
  if (lines.length === 0) fail("CSV has a header but no data rows: expected at least one");
  return { header, columns, lines };
}

/**
 * Parses an instructor's CSV: a header row, then one example per row. Errors name the line
 * and column, e.g. line 14, column `age`: expected a number, got "abc". Missing numeric values
 * are errors (no silent imputation); categorical columns keep "" as a category.
 */
export function parseCsv(text: string, options: CsvOptions): CsvTable {
  const { header, columns, lines } = readColumns(text, options);
  const targetColumn = header.indexOf(options.target);
  if (targetColumn < 0) fail(`target column \`${options.target}\` not found; the header has: ${header.join(", ")}`, "target");

  const numbersOf = (name: string, values: readonly string[]) => columnNumbers(name, values, lines);

  const features: CsvFeature[] = [];
  header.forEach((name, c) => {
    if (c === targetColumn) return;
    const values = columns[c] ?? [];
    const kind = options.columnTypes?.[name] ?? inferKind(values);
    features.push(kind === "numeric" ? { name, kind, numbers: numbersOf(name, values) } : { name, kind, strings: values });
  });
  for (const name of Object.keys(options.columnTypes ?? {})) {
    if (!header.includes(name)) fail(`columnTypes names column \`${name}\`, which is not in the header`, "columnTypes");
  }

  const targetValues = columns[targetColumn] ?? [];
  const base = { header, target: options.target, task: options.task, n: lines.length, features, lines: Int32Array.from(lines) };
  if (options.task === "regression") return { ...base, labels: Float32Array.from(numbersOf(options.target, targetValues)) };

  targetValues.forEach((value, r) => {
    if (value === "")
      fail(
        `line ${lines[r]}, column \`${options.target}\`: expected a class name, got an empty value`,
        `line ${lines[r]}.${options.target}`,
      );
  });
  const unique = [...new Set(targetValues)];
  const classes = unique.sort(compareClasses(unique.every((value) => NUMBER.test(value))));
  if (options.task === "binary" && classes.length !== 2) {
    fail(
      `a binary target needs exactly 2 classes, column \`${options.target}\` has ${classes.length}: ${classes.slice(0, 10).join(", ")}`,
      "target",
    );
  }
  if (options.task === "multiclass" && classes.length < 2) {
    fail(`a multiclass target needs at least 2 classes, column \`${options.target}\` has ${classes.length}`, "target");
  }
  const index = new Map(classes.map((name, k) => [name, k]));
  return { ...base, classes, labels: Int32Array.from(targetValues, (value) => index.get(value) ?? 0) };
}

export interface CsvColumnSummary {
  name: string;
  /** Inferred as `parseCsv` infers it: numeric when most non-empty values are numbers. */
  kind: CsvColumnKind;
  /** Distinct values (after trimming). */
  distinct: number;
  /** Empty values: an error in a numeric column, a category of its own in a categorical one. */
  empty: number;
}

export interface CsvInspection {
  header: string[];
  rows: number;
  columns: CsvColumnSummary[];
}

/**
 * The structure of a CSV before a target is chosen (an instructor's upload): the same records and
 * limits as `parseCsv`, and every column that reads as numeric must be numbers throughout, so that
 * any column can later be the target or a feature. Errors name the line and column.
 */
export function inspectCsv(text: string, options: Pick<CsvOptions, "maxBytes" | "maxRows" | "maxColumns"> = {}): CsvInspection {
  const { header, columns, lines } = readColumns(text, options);
  return {
    header,
    rows: lines.length,
    columns: header.map((name, c) => {
      const values = columns[c] ?? [];
      const kind = inferKind(values);
      if (kind === "numeric") columnNumbers(name, values, lines);
      return { name, kind, distinct: new Set(values).size, empty: values.filter((v) => v === "").length };
    }),
  };
}
