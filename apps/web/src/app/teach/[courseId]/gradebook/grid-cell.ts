import type { CellStatus, GradebookCell } from "~/server/services/gradebook";
import { CELL_STATUS_LABEL, selectionEvidence } from "./query";

/**
 * What one gradebook cell shows, kept small (a class of 300 × 28 is 8,400 of them in the page's
 * payload, which the browser parses before the grid can hydrate): the score and status, numbers
 * rather than sentences, and the rare parts left out when absent. Labels are made where shown.
 */
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

export interface GridColumn {
  id: string;
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
  cells: GridCell[];
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

export function gridCell(cell: GradebookCell, passback: CellPassback | null = null): GridCell {
  return {
    score: cell.best === null ? null : points(cell.best),
    status: cell.status,
    used: cell.attemptsUsed,
    ...(cell.late ? { lateDays: cell.daysLate } : {}),
    ...(cell.attemptsAllowed !== null ? { allowed: cell.attemptsAllowed } : {}),
    ...(cell.pending > 0 ? { pending: cell.pending } : {}),
    ...(cell.selectedOnTest ? { chosenOnTest: selectionEvidence(cell.selectedOnTest.flag) } : {}),
    ...(cell.identical ? { identical: cell.identical } : {}),
    ...(passback ? { passback } : {}),
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
  if (cell.identical !== undefined) badges.push({ key: "identical", text: `=${cell.identical.group}`, title: `Identical work, group ${cell.identical.group}`, testId: "cell-identical" });
  // Sent grades need no mark; a grade still on its way or refused by the LMS does.
  if (cell.passback && cell.passback.status !== "sent")
    badges.push({ key: "passback", text: cell.passback.status === "failed" ? "⇡!" : "⇡", title: passbackText(cell.passback), testId: `cell-passback-${cell.passback.status}` });
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
