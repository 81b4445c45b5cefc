import { randomUUID } from "node:crypto";
import { NotFoundError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import { CSV_SPLIT_SEED, inspectCsv, type CsvColumnSummary } from "@stepwise/core/datasets";
import type { Selectable } from "kysely";
import { z } from "zod";
import type { Db } from "./connection";
import { parseJson } from "./rows";
import type { DatasetsTable } from "./schema";

/**
 * CSV datasets uploaded into a course. The bytes live in the database, so every web and grader
 * instance reads the same file; assignments refer to one by `file`, exactly as a course folder's
 * assignment names `data/loans.csv`. The grader holds back 20% of the rows as hidden test data,
 * drawn with the dataset's own `splitSeed` (fixed at upload, never an assignment's seed), so nothing
 * here ever serves rows to students.
 */

/** Upload limits: small enough to parse and encode in one request and one training child. */
export const DATASET_LIMITS = { maxBytes: 5 * 1024 * 1024, maxRows: 50_000, maxColumns: 200 } as const;

/** `loans.csv` or `data/loans.csv`: letters, digits, `.`, `_`, `-`, folders with `/`, ending in `.csv`. */
const FILE_NAME = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*\.csv$/;

export interface CourseDataset {
  id: string;
  courseId: string;
  file: string;
  bytes: number;
  rows: number;
  /** Column names in file order. */
  columns: string[];
  createdBy: string | null;
  createdAt: number;
  /** Seed of the hidden test split, stored at upload: every assignment on the dataset holds back the same rows. */
  splitSeed: number;
}

export interface CourseDatasetWithCsv extends CourseDataset {
  csv: string;
}

const Columns = z.array(z.string());

function toDataset(row: Omit<Selectable<DatasetsTable>, "csv">): CourseDataset {
  return {
    id: row.id,
    courseId: row.course_id,
    file: row.file,
    bytes: row.bytes,
    rows: row.rows,
    columns: parseJson(Columns, row.columns, `columns of dataset ${row.id}`),
    createdBy: row.created_by,
    createdAt: row.created_at,
    splitSeed: row.split_seed,
  };
}

/** Checks a dataset's file name; returns it trimmed. */
export function checkDatasetFile(file: string): string {
  const name = file.trim();
  if (name.length > 200 || !FILE_NAME.test(name) || name.split("/").some((part) => part === "." || part === "..")) {
    throw new ValidationError(
      `A dataset's file name must be like \`loans.csv\` or \`data/loans.csv\` (letters, digits, ".", "_", "-", ending in .csv, at most 200 characters), got ${JSON.stringify(file.slice(0, 80))}`,
      "file",
    );
  }
  return name;
}

/**
 * Stores an uploaded CSV after validating it with core's parser: a header, at most
 * `DATASET_LIMITS` bytes, rows and columns, the same number of fields on every row, and numbers
 * throughout every numeric column. Errors name the line and column. Returns the column summaries
 * too, for the instructor to choose a target from.
 */
export async function createDataset(
  db: Db,
  input: { courseId: string; file: string; csv: string; createdBy: string | null },
  now: number,
): Promise<CourseDataset & { summary: CsvColumnSummary[] }> {
  const file = checkDatasetFile(input.file);
  const inspection = inspectCsv(input.csv, DATASET_LIMITS);
  if (inspection.header.length < 2) {
    throw new ValidationError(
      `A dataset needs at least 2 columns (one to predict, one to predict it from), ${file} has ${inspection.header.length}`,
      "csv",
    );
  }
  if (await datasetExists(db, input.courseId, file)) {
    throw new PreconditionError(`This course already has a dataset named ${file}; remove it first or upload under another name.`);
  }
  const row = {
    id: randomUUID(),
    course_id: input.courseId,
    file,
    csv: input.csv,
    bytes: Buffer.byteLength(input.csv, "utf8"),
    rows: inspection.rows,
    columns: JSON.stringify(inspection.header),
    created_by: input.createdBy,
    created_at: now,
    split_seed: CSV_SPLIT_SEED,
  };
  await db.kysely.insertInto("datasets").values(row).execute();
  return { ...toDataset(row), summary: inspection.columns };
}

async function datasetExists(db: Db, courseId: string, file: string): Promise<boolean> {
  const row = await db.kysely
    .selectFrom("datasets")
    .select("id")
    .where("course_id", "=", courseId)
    .where("file", "=", file)
    .executeTakeFirst();
  return row !== undefined;
}

/** A course's datasets, without their bytes, by file name. */
export async function datasetsForCourse(db: Db, courseId: string): Promise<CourseDataset[]> {
  const rows = await db.kysely
    .selectFrom("datasets")
    .select(["id", "course_id", "file", "bytes", "rows", "columns", "created_by", "created_at", "split_seed"])
    .where("course_id", "=", courseId)
    .orderBy("file", "asc")
    .execute();
  return rows.map(toDataset);
}

/** One dataset of a course with its CSV text, or null. */
export async function datasetByFile(db: Db, courseId: string, file: string): Promise<CourseDatasetWithCsv | null> {
  const row = await db.kysely
    .selectFrom("datasets")
    .selectAll()
    .where("course_id", "=", courseId)
    .where("file", "=", file)
    .executeTakeFirst();
  return row ? { ...toDataset(row), csv: row.csv } : null;
}

const DatasetOverride = z.object({ dataset: z.object({ kind: z.literal("csv"), file: z.string() }).loose() }).loose();

/** Titles of the course's assignments whose dataset override names `file`. */
export async function assignmentsUsingDataset(db: Db, courseId: string, file: string): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom("assignments")
    .select(["title", "overrides"])
    .where("course_id", "=", courseId)
    .orderBy("position", "asc")
    .execute();
  return rows.flatMap((row) => {
    let overrides: unknown;
    try {
      overrides = JSON.parse(row.overrides);
    } catch {
      return [];
    }
    const parsed = DatasetOverride.safeParse(overrides);
    return parsed.success && parsed.data.dataset.file === file ? [row.title] : [];
  });
}

/** Deletes a dataset no assignment of its course uses; otherwise says which assignments do. */
export async function deleteDataset(db: Db, courseId: string, file: string): Promise<void> {
  if (!(await datasetExists(db, courseId, file))) throw new NotFoundError(`This course has no dataset named ${file}.`);
  const users = await assignmentsUsingDataset(db, courseId, file);
  if (users.length > 0) {
    throw new PreconditionError(
      `${file} is used by ${users.length === 1 ? "the assignment" : `${users.length} assignments:`} ${users.map((t) => `"${t}"`).join(", ")}; change their dataset before removing it.`,
    );
  }
  await db.kysely.deleteFrom("datasets").where("course_id", "=", courseId).where("file", "=", file).execute();
}
