import { type Check, checkShown, type Environment, type JobStatus, type Verdict, type VisibilityView } from "@stepwise/core/contracts";
import type { JobRow } from "@stepwise/db";

/** A verdict's environment as a student sees it: the grading seeds stay with the instructors. */
export type StudentEnvironment = Omit<Environment, "seed" | "seeds">;

/** A verdict whose checks the student may all see (only the seeds are removed). */
export type ShownVerdict = Omit<Verdict, "environment"> & { environment?: StudentEnvironment; withheldUntil?: undefined };

/**
 * A verdict with a check the student may not see yet. Hidden means not inferable: the status, score
 * and summary depend on every check, metrics and diagnostics on what the hidden checks measured, so
 * all of them are withheld; the student keeps the checks they may see and their own training curves.
 */
export interface WithheldVerdict {
  status: "withheld";
  /** When the result is shown (the deadline), ms since the epoch; null: never. */
  withheldUntil: number | null;
  score: null;
  summary: string;
  checks: Check[];
  metrics: Record<string, never>;
  curves: { history: Verdict["curves"]["history"]; baseline?: number; overfitEpoch?: undefined };
  diagnostics: [];
  environment?: StudentEnvironment;
}

export type StudentVerdict = ShownVerdict | WithheldVerdict;

export type { VisibilityView };

function studentEnvironment(environment: Environment | undefined): { environment?: StudentEnvironment } {
  if (!environment) return {};
  const { seed: _seed, seeds: _seeds, ...rest } = environment;
  return { environment: rest };
}

export function withheldSummary(until: number | null): string {
  return until === null
    ? "Graded — the result is not shown to students."
    : `Graded — the result is shown after ${new Date(until).toISOString().slice(0, 16).replace("T", " ")} UTC.`;
}

/**
 * The verdict as a student may see it (`README.md`, "Visibility"). With every check shown, the
 * verdict less its seeds; with any check hidden, a `WithheldVerdict`.
 */
export function visibleVerdict(verdict: Verdict, view: VisibilityView): StudentVerdict {
  const hidden = verdict.checks.filter((check) => !checkShown(check, view));
  if (hidden.length === 0) {
    const { environment, ...rest } = verdict;
    return { ...rest, ...studentEnvironment(environment) };
  }
  const until = hidden.some((check) => check.visibility === "never") ? null : view.deadline;
  return {
    status: "withheld",
    withheldUntil: until,
    score: null,
    summary: withheldSummary(until),
    checks: verdict.checks.filter((check) => checkShown(check, view)),
    metrics: {},
    curves: { history: verdict.curves.history, ...(verdict.curves.baseline === undefined ? {} : { baseline: verdict.curves.baseline }) },
    diagnostics: [],
    ...studentEnvironment(verdict.environment),
  };
}

/** The verdict for a viewer: instructors of the course see all of it, everyone else the student's view. */
export function verdictFor(verdict: Verdict, viewer: "student" | "instructor", view: VisibilityView): Verdict | StudentVerdict {
  return viewer === "instructor" ? verdict : visibleVerdict(verdict, view);
}

/** `graded`: a result withheld from the student (a hidden check). */
export type AssignmentStatus = "not_attempted" | "queued" | "running" | "graded" | "passed" | "failed";

/** One student's standing on an assignment, from their submissions (newest first). */
export function assignmentStatus(
  submissions: ReadonlyArray<{ job: Pick<JobRow, "status"> | null; verdict: Pick<StudentVerdict | Verdict, "status"> | null }>,
): AssignmentStatus {
  if (submissions.length === 0) return "not_attempted";
  if (submissions.some((s) => s.verdict?.status === "passed")) return "passed";
  // A withheld result may be a pass: "failed" would tell the student it is not.
  if (submissions.some((s) => s.verdict?.status === "withheld")) return "graded";
  const latest = submissions[0];
  const status: JobStatus | undefined = latest?.job?.status;
  if (!latest?.verdict && status === "queued") return "queued";
  if (!latest?.verdict && status === "running") return "running";
  return "failed";
}

export interface SubmissionSummary {
  id: string;
  createdAt: number;
  jobStatus: JobStatus | null;
  verdictStatus: StudentVerdict["status"] | null;
  testAccuracy: number | null;
}

/** One row of a submission history; `view` null for an instructor of the course (nothing withheld). */
export function summarizeSubmission(
  row: { id: string; createdAt: number; job: Pick<JobRow, "status"> | null; verdict: Verdict | null },
  view: VisibilityView | null,
): SubmissionSummary {
  const verdict = row.verdict && view ? visibleVerdict(row.verdict, view) : row.verdict;
  return {
    id: row.id,
    createdAt: row.createdAt,
    jobStatus: row.job?.status ?? null,
    verdictStatus: verdict?.status ?? null,
    testAccuracy: verdict?.status === "withheld" ? null : (verdict?.metrics.testAccuracy?.value ?? null),
  };
}
