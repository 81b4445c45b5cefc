import type { JobStatus, VerdictStatus } from "@stepwise/core/contracts";
import {
  type Assignment,
  type GradebookAttempt,
  type GradebookData,
  type GradebookStudent,
  groupProjects,
  type SelectedOnTest,
} from "@stepwise/db";
import { assignmentPlace, findExercise } from "@stepwise/exercises";
import { type LatePenalty, lateness, type Lateness } from "@stepwise/exercises/course";
import { z } from "zod";
import { latePenaltyFor } from "./late-policy";

/**
 * The gradebook as a pure function of the database's facts: per student and assignment the best
 * late-adjusted score (for step 7, the latest test evaluation's: see `scoreRule`) and where it came from. The exports and the regrade preview use the same
 * rules, so the number an instructor sees is the number they export.
 */
export type CellStatus = VerdictStatus | "pending" | "not_attempted" | "cancelled";

export interface GradebookCell {
  assignmentId: string;
  /**
   * The late-adjusted score that counts, 0–1: the best graded attempt's, or for step 7 the latest test
   * evaluation's (see `scoreRule`); null while nothing is graded (grader errors are not grades).
   */
  best: number | null;
  /** How `best` was chosen. */
  rule: ScoreRule;
  /** The student's latest step-7 configuration flagged as chosen on its test score, with the evidence; null if none. */
  selectedOnTest: Pick<SelectedOnTest, "submissionId" | "flag"> | null;
  bestSubmissionId: string | null;
  /** The verdict status of the best attempt; `pending` while only ungraded attempts exist. */
  status: CellStatus;
  /** The newest attempt: its verdict's status, else its job's. */
  latest: { submissionId: string; status: VerdictStatus | JobStatus } | null;
  /** The best attempt (or, with none graded, the newest) came after the student's deadline. */
  late: boolean;
  daysLate: number;
  /** Attempts that count against the limit (not invalid, not a grader error, not cancelled), as submit counts them. */
  attemptsUsed: number;
  attemptsAllowed: number | null;
  /** Attempts still queued or running. */
  pending: number;
  submissions: number;
  /** When the student first submitted to this assignment, ms; null before any submission. */
  firstAt: number | null;
  /** When the student's first passing submission was made, ms; null until one passed. */
  passedAt: number | null;
  /** Other students who submitted a model with the same fingerprint here (`identical-work.ts`); null when none did. */
  identical: { group: number; others: string[] } | null;
}

export interface GradebookRow {
  student: GradebookStudent;
  cells: GradebookCell[];
  /** Sum of the best scores in points (100 per assignment); ungraded cells count 0. */
  total: number;
}

/** Where a gradebook column sits in the workflow: its project (dataset) and step; null for an exercise outside it. */
export interface GradebookPlace {
  project: string;
  label: string;
  step: number;
}

export interface Gradebook {
  course: GradebookData["course"];
  assignments: Array<Pick<Assignment, "id" | "title" | "exerciseId" | "deadline" | "position"> & { place: GradebookPlace | null }>;
  rows: GradebookRow[];
}

/** The late penalty in force, by the rule submit applies (late-policy.ts): the assignment's, else the course's. */
export function penaltyFor(assignment: Pick<Assignment, "overrides">, settings: Record<string, unknown>): LatePenalty | undefined {
  return latePenaltyFor(assignment, { settings });
}

/** Deadline per (assignment, student): the student's extension replaces the assignment's deadline. */
export function deadlines(
  data: Pick<GradebookData, "assignments" | "extensions">,
): (assignmentId: string, userId: string) => number | null {
  const extended = new Map(data.extensions.map((e) => [`${e.assignmentId}\u0000${e.userId}`, e.deadline]));
  const own = new Map(data.assignments.map((a) => [a.id, a.deadline]));
  return (assignmentId, userId) => extended.get(`${assignmentId}\u0000${userId}`) ?? own.get(assignmentId) ?? null;
}

export interface ScoredAttempt {
  attempt: Pick<GradebookAttempt, "submissionId" | "createdAt" | "job" | "verdict">;
  lateness: Lateness;
  /** verdict.score × late factor; null without a verdict. */
  score: number | null;
}

export function scoreAttempt(attempt: ScoredAttempt["attempt"], deadline: number | null, penalty: LatePenalty | undefined): ScoredAttempt {
  const late = lateness(attempt.createdAt, deadline, penalty);
  return { attempt, lateness: late, score: attempt.verdict ? attempt.verdict.score * late.factor : null };
}

function countsAsAttempt(a: ScoredAttempt["attempt"]): boolean {
  // The same rule as countAttempts in the db package.
  if (a.verdict) return a.verdict.status !== "invalid" && a.verdict.status !== "error";
  return a.job?.status !== "cancelled";
}

/**
 * `best`: the best graded attempt counts. `latest-test-evaluation` (step 7, where the student chooses a
 * configuration and each graded submission is an evaluation on the hidden test set): the latest
 * evaluated attempt counts. Taking the best of several test scores would itself choose on the test
 * set — the selection test-set hygiene forbids — and reward spending evaluations.
 */
export type ScoreRule = "best" | "latest-test-evaluation";

export function scoreRule(assignment: { exerciseId?: string }): ScoreRule {
  const exercise = assignment.exerciseId === undefined ? undefined : findExercise(assignment.exerciseId);
  return exercise?.kind === "training" && exercise.step === 7 ? "latest-test-evaluation" : "best";
}

/** A verdict that reports a test score: what a step-7 test evaluation produces. */
const evaluatedOnTest = (s: ScoredAttempt) =>
  s.score !== null && (s.attempt.verdict?.status === "passed" || s.attempt.verdict?.status === "failed");

/**
 * One cell from one student's attempts at one assignment, newest first. `selectedOnTest`: the
 * student's flagged evaluations on this assignment (any order).
 */
export function gradeCell(
  assignment: Pick<Assignment, "id" | "attemptsAllowed"> & { exerciseId?: string },
  scored: readonly ScoredAttempt[],
  selectedOnTest: ReadonlyArray<Pick<SelectedOnTest, "submissionId" | "flag">> = [],
): GradebookCell {
  const rule = scoreRule(assignment);
  let best: ScoredAttempt | null = rule === "latest-test-evaluation" ? (scored.find(evaluatedOnTest) ?? null) : null;
  // A grader fault (a dead-lettered job's "error" verdict) is no grade: it neither scores 0 nor hides
  // an earlier score. Newest first and a strict comparison: of equal scores, the newest is shown.
  // (Step 7 without any test evaluation yet falls back to this too: an invalid attempt scores 0.)
  if (best === null) {
    for (const s of scored) {
      if (s.score === null || s.attempt.verdict?.status === "error") continue;
      if (best === null || s.score > (best.score ?? -1)) best = s;
    }
  }
  const flagged = new Map(selectedOnTest.map((f) => [f.submissionId, f]));
  const flag = scored.map((s) => flagged.get(s.attempt.submissionId)).find((f) => f !== undefined) ?? null;
  const newest = scored[0] ?? null;
  const pending = scored.filter(
    (s) => !s.attempt.verdict && (s.attempt.job?.status === "queued" || s.attempt.job?.status === "running"),
  ).length;
  const status: CellStatus = best?.attempt.verdict
    ? best.attempt.verdict.status
    : newest === null
      ? "not_attempted"
      : pending > 0
        ? "pending"
        : scored.some((s) => s.attempt.verdict?.status === "error")
          ? "error"
          : "cancelled";
  const shown = best ?? newest;
  return {
    assignmentId: assignment.id,
    best: best?.score ?? null,
    rule,
    selectedOnTest: flag ? { submissionId: flag.submissionId, flag: flag.flag } : null,
    bestSubmissionId: best?.attempt.submissionId ?? null,
    status,
    latest: newest
      ? { submissionId: newest.attempt.submissionId, status: newest.attempt.verdict?.status ?? newest.attempt.job?.status ?? "queued" }
      : null,
    late: shown?.lateness.late ?? false,
    daysLate: shown?.lateness.daysLate ?? 0,
    attemptsUsed: scored.filter((s) => countsAsAttempt(s.attempt)).length,
    attemptsAllowed: assignment.attemptsAllowed,
    pending,
    submissions: scored.length,
    firstAt: scored.at(-1)?.attempt.createdAt ?? null,
    passedAt: scored.findLast((s) => s.attempt.verdict?.status === "passed")?.attempt.createdAt ?? null,
    identical: null,
  };
}

/** Groups attempts (newest first) by assignment and student, preserving order. */
export function attemptsByCell(attempts: readonly GradebookAttempt[]): Map<string, GradebookAttempt[]> {
  const cells = new Map<string, GradebookAttempt[]>();
  for (const a of attempts) {
    const key = `${a.assignmentId}\u0000${a.userId}`;
    const list = cells.get(key);
    if (list) list.push(a);
    else cells.set(key, [a]);
  }
  return cells;
}

export function buildGradebook(data: GradebookData): Gradebook {
  const deadlineOf = deadlines(data);
  const penalties = new Map(data.assignments.map((a) => [a.id, penaltyFor(a, data.settings)]));
  const grouped = attemptsByCell(data.attempts);
  const flags = new Map<string, SelectedOnTest[]>();
  for (const f of data.selectedOnTest) {
    const key = `${f.assignmentId}\u0000${f.userId}`;
    flags.set(key, [...(flags.get(key) ?? []), f]);
  }
  const rows = data.students.map((student): GradebookRow => {
    const cells = data.assignments.map((assignment) => {
      const attempts = grouped.get(`${assignment.id}\u0000${student.id}`) ?? [];
      const deadline = deadlineOf(assignment.id, student.id);
      const scored = attempts.map((a) => scoreAttempt(a, deadline, penalties.get(assignment.id)));
      return gradeCell(assignment, scored, flags.get(`${assignment.id}\u0000${student.id}`));
    });
    return { student, cells, total: points(cells.reduce((sum, c) => sum + (c.best ?? 0), 0)) };
  });
  // The same grouping the course page and the submission gate use, so columns can be grouped per project and step.
  const places = new Map<string, GradebookPlace>();
  for (const group of groupProjects(data.assignments, assignmentPlace)) {
    for (const step of group.steps)
      for (const a of group.assignments.get(step.id) ?? []) places.set(a.id, { project: group.key, label: group.label, step: step.number });
  }
  return {
    course: data.course,
    assignments: data.assignments.map((a) => ({
      id: a.id,
      title: a.title,
      exerciseId: a.exerciseId,
      deadline: a.deadline,
      position: a.position,
      place: places.get(a.id) ?? null,
    })),
    rows,
  };
}

/** A 0–1 score in points out of 100, rounded to hundredths so totals add up as printed. */
export function points(score: number): number {
  return Math.round(score * 10_000) / 100;
}

export const GradebookQuery = z
  .object({
    search: z.string().trim().max(200).optional().describe("Part of a student's name or e-mail, any case"),
    assignmentId: z.string().min(1).max(100).optional().describe("Show only this assignment's column"),
    status: z
      .enum(["passed", "failed", "invalid", "timed_out", "out_of_memory", "diverged", "error", "pending", "not_attempted", "cancelled"])
      .optional()
      .describe("Keep students with at least one shown cell in this status"),
    late: z.boolean().optional().describe("true: only students with a late cell shown; false: only those without"),
    identical: z.boolean().optional().describe("true: only students whose work matches another student's on a shown assignment"),
    sort: z
      .union([z.enum(["name", "email", "total"]), z.string().regex(/^assignment:.{1,100}$/)])
      .default("name")
      .describe("name, email, total, or assignment:<id> (that assignment's best score)"),
    dir: z.enum(["asc", "desc"]).default("asc"),
  })
  .strict();
export type GradebookQuery = z.infer<typeof GradebookQuery>;

/** Search, filter and sort a built gradebook (server-side, so the page works without JavaScript). */
export function queryGradebook(gradebook: Gradebook, query: GradebookQuery): Gradebook {
  const columns = query.assignmentId === undefined ? gradebook.assignments.map((a) => a.id) : [query.assignmentId];
  const shown = new Set(columns);
  const needle = query.search?.toLocaleLowerCase() ?? "";
  const rows = gradebook.rows
    .map((row) => ({ ...row, cells: row.cells.filter((c) => shown.has(c.assignmentId)) }))
    .filter(
      (row) =>
        needle === "" || row.student.name.toLocaleLowerCase().includes(needle) || row.student.email.toLocaleLowerCase().includes(needle),
    )
    .filter((row) => query.status === undefined || row.cells.some((c) => c.status === query.status))
    .filter((row) => query.late === undefined || row.cells.some((c) => c.late) === query.late)
    .filter((row) => query.identical !== true || row.cells.some((c) => c.identical !== null));
  const key = sortKey(query.sort);
  const sign = query.dir === "desc" ? -1 : 1;
  rows.sort(
    (a, b) => sign * compare(key(a), key(b)) || compare(a.student.name, b.student.name) || compare(a.student.email, b.student.email),
  );
  return { ...gradebook, assignments: gradebook.assignments.filter((a) => shown.has(a.id)), rows };
}

function sortKey(sort: string): (row: GradebookRow) => string | number {
  if (sort === "name") return (row) => row.student.name.toLocaleLowerCase();
  if (sort === "email") return (row) => row.student.email;
  if (sort === "total") return (row) => row.total;
  const id = sort.slice("assignment:".length);
  // Ungraded below every score, whatever the direction's meaning of "below".
  return (row) => row.cells.find((c) => c.assignmentId === id)?.best ?? -1;
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}
