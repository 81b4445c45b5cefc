import { join } from "node:path";
import type { DatasetRef, ExerciseDefinition } from "@stepwise/core/contracts";
import { datasetByFile, type Db } from "@stepwise/db";
import { previewCsv, resolveCsv, type CsvPreview, type CsvSource } from "@stepwise/exercises/answers";
import { csvGrading, type CsvScaling } from "@stepwise/exercises/grading";
import { findRepoRoot } from "../env";
import type { PreviewData } from "../lib/preview-format";

type CsvRef = Extract<DatasetRef, { kind: "csv" }>;

/**
 * The CSV a dataset reference names, found as the grader finds it (`resolveCsv`), with the built-in
 * data directory resolved from the repository root, since the bundled server's module URL is not the
 * package's.
 */
export function csvSource(db: Db, courseId: string, ref: CsvRef): Promise<CsvSource> {
  return resolveCsv(ref, {
    uploaded: (file) => datasetByFile(db, courseId, file),
    dataDir: join(findRepoRoot(), "packages", "exercises", "data"),
  });
}

/**
 * What a student sees of a CSV dataset: the instructor preview's facts — columns with their types,
 * class balance or target range, a few rows — all from the training split; the dataset's fixed test
 * split is only counted. The assignment's seed plays no part: it never moves the test split. A target that no longer fits the data shows as a message, not a broken page.
 */
interface CsvViewBase {
  kind: "csv";
  file: string;
  target: string;
  task: CsvRef["task"];
  origin: CsvSource["origin"];
  /** The built-in dataset the assignment's override replaces (its description still names it). */
  replaces?: string;
}
export type CsvView = (CsvViewBase & { preview: CsvPreview }) | (CsvViewBase & { problem: string });

export function csvView(source: CsvSource, ref: CsvRef): CsvView {
  const base = { kind: "csv" as const, file: ref.file, target: ref.target, task: ref.task, origin: source.origin };
  try {
    return {
      ...base,
      preview: previewCsv(source.text, { file: ref.file, target: ref.target, task: ref.task, splitSeed: source.splitSeed, sampleRows: 5 }),
    };
  } catch (error) {
    return { ...base, problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A CSV's training rows for the browser preview, encoded by the grader's own `csvGrading` (the
 * dataset's fixed test split, the assignment's seeded training slice, encoder fitted on the same training rows, regression targets
 * standardized the same way): at most `maxRows` of them. The test inputs it also encodes are dropped
 * here; the test labels never leave it.
 */
export function csvPreviewData(
  source: Pick<CsvSource, "text" | "splitSeed">,
  ref: CsvRef,
  exercise: Pick<ExerciseDefinition, "seed" | "data">,
  maxRows: number,
  scaling?: CsvScaling,
): PreviewData {
  const { training, facts, task } = csvGrading(source.text, ref, {
    seed: exercise.seed,
    slice: exercise.data,
    splitSeed: source.splitSeed,
    ...(scaling ? { scaling } : {}),
  });
  const n = Math.min(maxRows, facts.trainSize);
  const width = training.inputSize;
  const labels =
    training.trainLabels instanceof Int32Array ? Uint32Array.from(training.trainLabels.subarray(0, n)) : training.trainLabels.slice(0, n);
  return {
    header: {
      dataset: "csv",
      n,
      naturalShape: [width],
      task: task.kind,
      file: facts.file,
      encoding: facts.encoding,
      featureNames: facts.featureNames,
      ...(facts.classes ? { classes: facts.classes } : {}),
      ...(training.targetScale ? { targetScale: training.targetScale } : {}),
    },
    arrays: { inputs: training.trainInputs.slice(0, n * width), labels },
  };
}
