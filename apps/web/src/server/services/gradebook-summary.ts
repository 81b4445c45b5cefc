import type { IdenticalGroup } from "@stepwise/db";
import type { Gradebook, GradebookCell, GradebookRow } from "./gradebook";

/**
 * What the gradebook adds on top of the cells: how each assignment and project went for the class
 * (pass rate, median attempts, median time to pass, the spread of scores), and which students
 * submitted identical work — evidence for the instructor to look at, which changes no score.
 */

/** Bins of the score histogram: 0–9, 10–19, …, 90–100 points. */
export const HISTOGRAM_BINS = 10;

export interface Summary {
  /** Students counted: the rows shown. */
  students: number;
  /** Students with at least one submission. */
  attempted: number;
  passed: number;
  /** passed / students shown, 0–1; null with no students. */
  passRate: number | null;
  /** Median attempts used, over the students who attempted; null when nobody did. */
  medianAttempts: number | null;
  /** Median time from the first submission to the first pass, ms, over the students who passed. */
  medianTimeToPassMs: number | null;
}

export interface ColumnSummary extends Summary {
  assignmentId: string;
  /** Graded scores per bin (`HISTOGRAM_BINS` bins of 10 points; 100 falls in the last). */
  histogram: number[];
}

export interface ProjectSummary extends Summary {
  project: string;
  label: string;
  assignmentIds: string[];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

/** One summary over each student's cells of a set of assignments: passing means passing all of them. */
function summarize(rows: readonly GradebookRow[], ids: ReadonlySet<string>): Summary {
  let attempted = 0;
  let passed = 0;
  const attempts: number[] = [];
  const times: number[] = [];
  for (const row of rows) {
    const cells = row.cells.filter((c) => ids.has(c.assignmentId));
    const firsts = cells.flatMap((c) => (c.firstAt === null ? [] : [c.firstAt]));
    if (firsts.length === 0) continue;
    attempted += 1;
    attempts.push(cells.reduce((sum, c) => sum + c.attemptsUsed, 0));
    const passes = cells.map((c) => c.passedAt);
    if (cells.length === ids.size && passes.every((p): p is number => p !== null)) {
      passed += 1;
      times.push(Math.max(...passes) - Math.min(...firsts));
    }
  }
  return {
    students: rows.length,
    attempted,
    passed,
    passRate: rows.length === 0 ? null : passed / rows.length,
    medianAttempts: median(attempts),
    medianTimeToPassMs: median(times),
  };
}

export function histogram(cells: ReadonlyArray<Pick<GradebookCell, "best">>): number[] {
  const bins = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const cell of cells) {
    if (cell.best === null) continue;
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor(cell.best * HISTOGRAM_BINS));
    bins[bin] = (bins[bin] ?? 0) + 1;
  }
  return bins;
}

/** Per shown assignment and per project (its shown steps together), over the rows shown. */
export function gradebookSummary(gradebook: Gradebook): { columns: ColumnSummary[]; projects: ProjectSummary[] } {
  const columns = gradebook.assignments.map((a) => ({
    assignmentId: a.id,
    ...summarize(gradebook.rows, new Set([a.id])),
    histogram: histogram(gradebook.rows.flatMap((r) => r.cells.filter((c) => c.assignmentId === a.id))),
  }));
  const projects = new Map<string, { label: string; ids: string[] }>();
  for (const a of gradebook.assignments) {
    if (!a.place) continue;
    const project = projects.get(a.place.project) ?? { label: a.place.label, ids: [] };
    project.ids.push(a.id);
    projects.set(a.place.project, project);
  }
  return {
    columns,
    projects: [...projects].map(([project, { label, ids }]) => ({
      project,
      label,
      assignmentIds: ids,
      ...summarize(gradebook.rows, new Set(ids)),
    })),
  };
}

/** A group of identical work as the gradebook lists it. */
export interface IdenticalView {
  /** 1, 2, …: the label its cells carry. */
  group: number;
  assignmentId: string;
  students: Array<{ id: string; name: string; email: string }>;
}

/**
 * Marks the cells of students whose submission to an assignment shares a fingerprint with another
 * student's, and lists the groups (largest first). A student in two groups of one assignment is
 * marked with the larger.
 */
export function flagIdentical(
  gradebook: Gradebook,
  groups: readonly IdenticalGroup[],
): { gradebook: Gradebook; identical: IdenticalView[] } {
  const students = new Map(gradebook.rows.map((r) => [r.student.id, r.student]));
  const identical: IdenticalView[] = groups.map((g, i) => ({
    group: i + 1,
    assignmentId: g.assignmentId,
    students: g.members.flatMap((m) => {
      const s = students.get(m.userId);
      return s ? [{ id: s.id, name: s.name, email: s.email }] : [];
    }),
  }));
  const mark = new Map<string, { group: number; others: string[] }>();
  for (const view of identical) {
    for (const s of view.students) {
      const key = `${view.assignmentId}\u0000${s.id}`;
      if (!mark.has(key)) mark.set(key, { group: view.group, others: view.students.filter((o) => o.id !== s.id).map((o) => o.name) });
    }
  }
  const rows = gradebook.rows.map((row) => ({
    ...row,
    cells: row.cells.map((c) => ({ ...c, identical: mark.get(`${c.assignmentId}\u0000${row.student.id}`) ?? null })),
  }));
  return { gradebook: { ...gradebook, rows }, identical: identical.filter((v) => v.students.length > 1) };
}
