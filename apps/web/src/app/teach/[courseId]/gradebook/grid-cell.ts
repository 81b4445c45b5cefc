import type { CellStatus, GradebookCell } from "~/server/services/gradebook";
import { CELL_STATUS_LABEL, selectionEvidence, STATUS_FILTERS } from "./query";

/** What one gradebook cell shows, unpacked from its `PackedCell` where it is rendered. */
export interface GridCell {
  /** Points out of 100 as the CSV export writes them; null while nothing is graded. */
  score: number | null;
  status: CellStatus;
  /** Days late of the attempt that counts; absent when on time. */
  lateDays?: number;
  /** Attempts that count against the limit. */
  used: number;
  /** The limit; absent when unlimited. */
  allowed?: number;
  /** Attempts still queued or running; absent when none. */
  pending?: number;
  /** Step 7: the evidence that this configuration was chosen on its test score. */
  chosenOnTest?: string;
  /** The identical-work group this submission belongs to, and the other students in it. */
  identical?: { group: number; others: string[] };
  /** The grade's passback to the course's LMS, when the assignment is linked to an LMS column. */
  passback?: CellPassback;
}

/** What the gradebook shows of a grade's passback (`lti.passbacks`): sent, pending or failed with why. */
export interface CellPassback {
  status: "pending" | "sent" | "failed";
  scoreGiven: number | null;
  scoreMaximum: number | null;
  lastError: string | null;
}

/** The rare parts of a cell, present only when one of them is. */
export type CellExtras = Pick<GridCell, "lateDays" | "pending" | "chosenOnTest" | "identical" | "passback">;

/**
 * A cell as the page sends it: 8,400 of them for 300 × 28 travel in the page's payload, which the
 * browser parses before the grid hydrates, so a cell is `[score, status code, attempts used]` (about
 * ten characters) plus its extras only when it has any; the attempt limit is the column's.
 */
export type PackedCell =
  | [score: number | null, status: number, used: number]
  | [score: number | null, status: number, used: number, extras: CellExtras];

export interface GridColumn {
  id: string;
  /** The assignment's attempt limit; absent when unlimited. */
  allowed?: number;
  title: string;
  /** "Step 5", or the title for an exercise outside the workflow. */
  short: string;
  /** "Due 12 Jan" or "No deadline". */
  due: string;
  project: string;
  projectLabel: string;
  sort: { href: string; label: string; mark: string };
}

export interface GridRow {
  id: string;
  name: string;
  email: string;
  cells: PackedCell[];
  total: number;
}

export const STATUS_ICON: Record<CellStatus, string> = {
  passed: "✓",
  failed: "✗",
  invalid: "!",
  timed_out: "⏱",
  out_of_memory: "!",
  diverged: "!",
  error: "⚠",
  pending: "…",
  not_attempted: "·",
  cancelled: "–",
};

/** Points out of 100, rounded to hundredths (as the CSV export writes them). */
const points = (score: number) => Math.round(score * 10_000) / 100;

export function packCell(cell: GradebookCell, passback: CellPassback | null = null): PackedCell {
  const extras: CellExtras = {
    ...(cell.late ? { lateDays: cell.daysLate } : {}),
    ...(cell.pending > 0 ? { pending: cell.pending } : {}),
    ...(cell.selectedOnTest ? { chosenOnTest: selectionEvidence(cell.selectedOnTest.flag) } : {}),
    ...(cell.identical ? { identical: cell.identical } : {}),
    ...(passback ? { passback } : {}),
  };
  const packed: PackedCell = [cell.best === null ? null : points(cell.best), STATUS_FILTERS.indexOf(cell.status), cell.attemptsUsed];
  return Object.keys(extras).length > 0 ? [...packed, extras] : packed;
}

export function cellStatus(cell: PackedCell): CellStatus {
  const status = STATUS_FILTERS[cell[1]];
  if (status === undefined) throw new Error(`gradebook cell status code ${cell[1]} is not one of 0–${STATUS_FILTERS.length - 1}`);
  return status;
}

export function unpackCell(cell: PackedCell, column: Pick<GridColumn, "allowed">): GridCell {
  return {
    score: cell[0],
    status: cellStatus(cell),
    used: cell[2],
    ...(column.allowed !== undefined ? { allowed: column.allowed } : {}),
    ...cell[3],
  };
}

/** "2 / 3 attempts", "1 attempt" */
export function attemptsText(cell: Pick<GridCell, "used" | "allowed">): string {
  return `${cell.used}${cell.allowed !== undefined ? ` / ${cell.allowed}` : ""} attempt${cell.used === 1 && cell.allowed === undefined ? "" : "s"}`;
}

function passbackText(p: CellPassback): string {
  if (p.status === "sent") return `Sent to the LMS${p.scoreGiven !== null ? ` (${p.scoreGiven} / ${p.scoreMaximum ?? 100})` : ""}`;
  if (p.status === "pending") return `Waiting to be sent to the LMS${p.lastError ? ` (retrying: ${p.lastError})` : ""}`;
  return `Not sent to the LMS: ${p.lastError ?? "the LMS refused it"}`;
}

export interface CellBadge {
  key: string;
  text: string;
  title: string;
  testId: string;
}

/**
 * The small badges after a cell's score, in order. Further per-cell states (a grade's passback to an
 * LMS, say) belong here as one more entry: the cell, its label and its details pick them up.
 */
export function cellBadges(cell: GridCell): CellBadge[] {
  const badges: CellBadge[] = [];
  if (cell.lateDays !== undefined) badges.push({ key: "late", text: "L", title: `Late ${cell.lateDays} d`, testId: "cell-late" });
  if (cell.chosenOnTest !== undefined) badges.push({ key: "chosen", text: "T", title: "Chosen on test", testId: "cell-selected-on-test" });
  if (cell.identical !== undefined)
    badges.push({
      key: "identical",
      text: `=${cell.identical.group}`,
      title: `Identical work, group ${cell.identical.group}`,
      testId: "cell-identical",
    });
  // Sent grades need no mark; a grade still on its way or refused by the LMS does.
  if (cell.passback && cell.passback.status !== "sent")
    badges.push({
      key: "passback",
      text: cell.passback.status === "failed" ? "⇡!" : "⇡",
      title: passbackText(cell.passback),
      testId: `cell-passback-${cell.passback.status}`,
    });
  return badges;
}

/** The details shown on hover or focus, one line each. */
export function cellTip(cell: GridCell): string[] {
  return [
    `${cell.score === null ? "No score" : `${cell.score} points`} · ${CELL_STATUS_LABEL[cell.status]}`,
    `${attemptsText(cell)}${cell.pending ? ` · ${cell.pending} pending` : ""}`,
    ...(cell.lateDays !== undefined ? [`Late ${cell.lateDays} d (penalty applied)`] : []),
    ...(cell.chosenOnTest !== undefined ? [cell.chosenOnTest] : []),
    ...(cell.identical !== undefined ? [`Identical work (group ${cell.identical.group}) with ${cell.identical.others.join(", ")}`] : []),
    ...(cell.passback ? [passbackText(cell.passback)] : []),
  ];
}

/** Everything the cell says, for a screen reader: its link's name. */
export function cellLabel(student: string, assignment: string, cell: GridCell): string {
  return `${student}, ${assignment}: ${cellTip(cell).join("; ")}`;
}
