import type { DatasetRef } from "@stepwise/core/contracts";
import { PreconditionError } from "@stepwise/core/contracts";
import { CSV_SPLIT_SEED } from "@stepwise/core/datasets";
import { csvText } from "./facts";

type CsvRef = Extract<DatasetRef, { kind: "csv" }>;

/** A CSV's content and a key that changes whenever the content may (a new upload is a new row id). */
export interface CsvSource {
  text: string;
  key: string;
  origin: "uploaded" | "built-in";
  /** Seed of the dataset's fixed test split: stored with an upload, the built-in tables' own otherwise. */
  splitSeed: number;
}

/** A course's upload of a CSV by file name (the database's `datasetByFile`), or nothing. */
export type UploadedCsv = (file: string) => Promise<{ id: string; csv: string; splitSeed: number } | null | undefined>;

/** Built-in tables are plain names in the built-in data directory; nothing else is read from disk. */
const BUILT_IN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*\.csv$/;

/**
 * Which CSV a dataset reference means on the platform — for the grader and the web app alike: the
 * course's uploaded dataset of that name first, then the built-in table of that name. `dataDir` is
 * the built-in data directory (the web app's bundled server resolves it from the repository root).
 * Neither: a `PreconditionError` naming the file (the grader turns it into an `error` verdict).
 */
export async function resolveCsv(ref: CsvRef, options: { uploaded?: UploadedCsv; dataDir?: string }): Promise<CsvSource> {
  const uploaded = await options.uploaded?.(ref.file);
  if (uploaded) return { text: uploaded.csv, key: `upload:${uploaded.id}`, origin: "uploaded", splitSeed: uploaded.splitSeed };
  if (BUILT_IN_NAME.test(ref.file)) {
    try {
      return {
        text: csvText(ref, options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
        key: `built-in:${ref.file}`,
        origin: "built-in",
        splitSeed: CSV_SPLIT_SEED,
      };
    } catch {
      // Not a built-in table either: reported below.
    }
  }
  throw new PreconditionError(
    `The dataset ${ref.file} is neither uploaded to this course nor a built-in table; ask your instructor to upload it.`,
  );
}
