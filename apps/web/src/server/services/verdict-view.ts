import type { JobStatus, Verdict } from "@stepwise/core/contracts";
import type { JobRow } from "@stepwise/db";

/**
 * The verdict as a student may see it: checks marked `never` are dropped, `after_deadline` ones
 * until the deadline has passed. Everything else in a verdict is computed for the student.
 */
export function visibleVerdict(verdict: Verdict, opts: { deadline: number | null; now: number }): Verdict {
  const deadlinePassed = opts.deadline !== null && opts.now >= opts.deadline;
  return {
    ...verdict,
    checks: verdict.checks.filter(
      (check) => check.visibility === "always" || (check.visibility === "after_deadline" && deadlinePassed),
    ),
  };
}

export type AssignmentStatus = "not_attempted" | "queued" | "running" | "passed" | "failed";

/** One student's standing on an assignment, from their submissions (newest first). */
export function assignmentStatus(
  submissions: ReadonlyArray<{ job: Pick<JobRow, "status"> | null; verdict: Pick<Verdict, "status"> | null }>,
): AssignmentStatus {
  if (submissions.length === 0) return "not_attempted";
  if (submissions.some((s) => s.verdict?.status === "passed")) return "passed";
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
  verdictStatus: Verdict["status"] | null;
  testAccuracy: number | null;
}

export function summarizeSubmission(row: {
  id: string;
  createdAt: number;
  job: Pick<JobRow, "status"> | null;
  verdict: Verdict | null;
}): SubmissionSummary {
  return {
    id: row.id,
    createdAt: row.createdAt,
    jobStatus: row.job?.status ?? null,
    verdictStatus: row.verdict?.status ?? null,
    testAccuracy: row.verdict?.metrics.testAccuracy?.value ?? null,
  };
}
