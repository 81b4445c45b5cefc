import { SMALL_TEST_SPLIT, splitStep } from "@stepwise/core/verify";
import { CSV_TEST_FRACTION } from "./facts";

/**
 * What an instructor is told at upload when the hidden test split (20 % of the rows) is too small to
 * grade reliably: its size, how coarsely accuracies will be reported, and how many rows fix it.
 */
export function smallTestSplitWarning(rows: number): string | undefined {
  const testRows = Math.round(rows * CSV_TEST_FRACTION);
  const step = splitStep(testRows);
  if (step === undefined) return undefined;
  const needed = Math.ceil(SMALL_TEST_SPLIT / CSV_TEST_FRACTION);
  return (
    `The hidden test split of this dataset holds only ${testRows} row${testRows === 1 ? "" : "s"} (20 % of ${rows.toLocaleString("en-US")}), too few to grade reliably: ` +
    `a 95 % interval on an accuracy is about ±${Math.round(100 / Math.sqrt(Math.max(testRows, 1)))} points wide, so students' test accuracies are reported rounded to ${step}. ` +
    `Upload at least ${needed.toLocaleString("en-US")} rows for a ${SMALL_TEST_SPLIT}-row test split.`
  );
}
