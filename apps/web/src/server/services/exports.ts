import type { CheckVisibility, Verdict } from "@stepwise/core/contracts";
import type { Lateness } from "@stepwise/exercises/course";
import { type Gradebook, points } from "./gradebook";

/**
 * Grade exports: a plain CSV, Canvas's gradebook import layout, and Gradescope's autograder
 * `results.json` per submission. CSV follows RFC 4180 (CRLF, quotes doubled, fields with a comma,
 * quote or line break quoted) and is safe to open in a spreadsheet: a cell that would start a formula
 * gets a leading apostrophe.
 */

// = + - @ start formulas in Excel, LibreOffice and Sheets; tab and carriage return can smuggle one in.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let text = typeof value === "number" ? String(value) : value;
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** Best late-adjusted score in points (0–100), or an empty cell when nothing is graded. */
function cellPoints(gradebook: Gradebook, rowIndex: number, assignmentId: string): number | null {
  const best = gradebook.rows[rowIndex]?.cells.find((c) => c.assignmentId === assignmentId)?.best;
  return best === null || best === undefined ? null : points(best);
}

/** One row per student: name, e-mail, one column per assignment (0–100), total points. */
export function gradesCsvRows(gradebook: Gradebook): Array<Array<string | number | null>> {
  return [
    ["Name", "Email", ...gradebook.assignments.map((a) => a.title), "Total"],
    ...gradebook.rows.map((row, i) => [
      row.student.name,
      row.student.email,
      ...gradebook.assignments.map((a) => cellPoints(gradebook, i, a.id)),
      row.total,
    ]),
  ];
}

export const CANVAS_POINTS_POSSIBLE = "    Points Possible";

/**
 * Canvas's gradebook import: `Student, ID, SIS User ID, SIS Login ID, Section`, then one column per
 * assignment, and a "Points Possible" row under the header (as Canvas's own export writes it). We
 * know no Canvas ids, so ID and SIS User ID stay empty and the e-mail goes in SIS Login ID, which
 * Canvas matches on; no total column, since Canvas would import it as one more assignment.
 */
export function canvasCsvRows(gradebook: Gradebook): Array<Array<string | number | null>> {
  return [
    ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ...gradebook.assignments.map((a) => a.title)],
    [CANVAS_POINTS_POSSIBLE, null, null, null, null, ...gradebook.assignments.map(() => 100)],
    ...gradebook.rows.map((row, i) => [
      row.student.name,
      null,
      null,
      row.student.email,
      null,
      ...gradebook.assignments.map((a) => cellPoints(gradebook, i, a.id)),
    ]),
  ];
}

export function gradesCsv(gradebook: Gradebook): string {
  return toCsv(gradesCsvRows(gradebook));
}

export function canvasCsv(gradebook: Gradebook): string {
  return toCsv(canvasCsvRows(gradebook));
}

/** A file name from a course title: letters, digits and dashes only. */
export function exportFileName(title: string, suffix: string): string {
  const base =
    title
      .normalize("NFKD")
      .replace(/[^A-Za-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .toLowerCase()
      .slice(0, 60) || "course";
  return `${base}-${suffix}`;
}

const GRADESCOPE_VISIBILITY: Record<CheckVisibility, "visible" | "after_due_date" | "hidden"> = {
  always: "visible",
  after_deadline: "after_due_date",
  never: "hidden",
};

export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: "passed" | "failed";
  output: string;
  visibility: "visible" | "after_due_date" | "hidden";
}

export interface GradescopeResults {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  /**
   * Who sees the results as a whole: the strictest visibility of any test, since the score and
   * output would reveal a hidden test's outcome (README, "Visibility").
   */
  visibility: GradescopeTest["visibility"];
  tests: GradescopeTest[];
}

const STRICTNESS: ReadonlyArray<GradescopeTest["visibility"]> = ["visible", "after_due_date", "hidden"];

/**
 * Gradescope's autograder `results.json` for one graded submission. The top-level score (which
 * Gradescope uses instead of summing the tests) is the late-adjusted score out of 100, as in the
 * grades CSV; each of our checks becomes a 1-point test with its visibility mapped.
 */
export function gradescopeResults(input: { verdict: Verdict; lateness: Lateness; executionMs: number | null }): GradescopeResults {
  const { verdict, lateness } = input;
  const lateNote = lateness.late
    ? lateness.accepted
      ? ` Submitted ${lateness.daysLate} day${lateness.daysLate === 1 ? "" : "s"} late: score × ${lateness.factor}.`
      : ` Submitted ${lateness.daysLate} day${lateness.daysLate === 1 ? "" : "s"} late, past the last accepted day: score 0.`
    : "";
  return {
    score: points(verdict.score * lateness.factor),
    max_score: 100,
    execution_time: Math.round((input.executionMs ?? verdict.environment?.durationMs ?? 0) / 10) / 100,
    output: `${verdict.summary}${lateNote}`,
    visibility:
      STRICTNESS[Math.max(0, ...verdict.checks.map((check) => STRICTNESS.indexOf(GRADESCOPE_VISIBILITY[check.visibility])))] ?? "visible",
    tests: verdict.checks.map((check) => ({
      name: check.id,
      score: check.passed ? 1 : 0,
      max_score: 1,
      status: check.passed ? "passed" : "failed",
      output: check.message,
      visibility: GRADESCOPE_VISIBILITY[check.visibility],
    })),
  };
}
