import type { GradeChange, GradeSnapshot } from "@stepwise/db";
import { checkLabel } from "../../lib/check-labels";
import type { VisibilityView } from "./verdict-view";

/** What a regrade did to one submission, as its viewer may read it. */
export interface GradeNotice {
  eventId: string;
  submissionId: string;
  assignmentId: string;
  at: number;
  /** Null when the viewer may not see that side's result (a hidden check). */
  from: GradeSnapshot["status"] | null;
  to: GradeSnapshot["status"] | null;
  baseline: { from: number; to: number } | null;
  /** One line per check that changed, e.g. "Beats the baseline: passed → failed — Accuracy 0.91 does not beat 0.960". */
  checks: { id: string; label: string; from: boolean | null; to: boolean; message: string }[];
  seen: boolean;
}

function shown(check: GradeSnapshot["checks"][number], view: VisibilityView | null): boolean {
  if (view === null || check.visibility === "always") return true;
  return check.visibility === "after_deadline" && view.deadline !== null && view.now >= view.deadline;
}

export type GradeDiff = Pick<GradeNotice, "from" | "to" | "baseline" | "checks">;

/**
 * What changed between two grades as a viewer may read it. `view` null for an instructor
 * (everything); for a student the rule of `visibleVerdict` holds: a side with a hidden check shows
 * no status, and hidden checks are neither named nor described. The baseline is public (the
 * student's own chart draws it).
 */
export function gradeDiff(old: GradeSnapshot, now: GradeSnapshot, view: VisibilityView | null): GradeDiff {
  const sideStatus = (grade: GradeSnapshot) => (grade.checks.every((c) => shown(c, view)) ? grade.status : null);
  const before = new Map(old.checks.map((c) => [c.id, c]));
  return {
    from: sideStatus(old),
    to: sideStatus(now),
    baseline:
      old.baseline !== null && now.baseline !== null && old.baseline !== now.baseline ? { from: old.baseline, to: now.baseline } : null,
    checks: now.checks
      .filter((c) => shown(c, view) && before.get(c.id)?.passed !== c.passed)
      .map((c) => ({ id: c.id, label: checkLabel(c.id), from: before.get(c.id)?.passed ?? null, to: c.passed, message: c.message })),
  };
}

export function gradeNotice(change: GradeChange, view: VisibilityView | null): GradeNotice {
  return {
    eventId: change.eventId,
    submissionId: change.submissionId,
    assignmentId: change.assignmentId,
    at: change.at,
    ...gradeDiff(change.before, change.after, view),
    seen: change.seen,
  };
}
