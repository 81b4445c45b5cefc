import type { JobStatus } from "@stepwise/core/contracts";
import {
  gradebookData,
  gradeSnapshot,
  gradesBeforeRegrade,
  previewJobs,
  type Db,
  type GradebookAttempt,
  type GradeSnapshot,
  type PreviewJob,
  type Regrade,
} from "@stepwise/db";
import { type GradeDiff, gradeDiff } from "./grade-notice";
import { attemptsByCell, deadlines, gradeCell, penaltyFor, type CellStatus, scoreAttempt } from "./gradebook";

/**
 * The preview of a regrade, per student: the gradebook score now and the score the finished
 * previews would give once applied (same late rule), with how many of their previews are done.
 */
export interface RegradeStudent {
  student: { id: string; name: string; email: string };
  oldScore: number | null;
  newScore: number | null;
  oldStatus: CellStatus;
  newStatus: CellStatus;
  /** Previews with a verdict. */
  done: number;
  /** Previews still queued or running. */
  pending: number;
  /** Previews that died or were cancelled: their submissions keep the old grade. */
  unchanged: number;
  /** Per regraded submission whose grade changes: which checks and why (the instructor sees every check). */
  changes: (GradeDiff & { submissionId: string })[];
}

export interface RegradeView {
  regrade: Regrade;
  counts: Record<JobStatus, number> & { total: number };
  students: RegradeStudent[];
  /** Apply is possible: previewing and nothing still queued or running. */
  canApply: boolean;
}

function tally(previews: readonly PreviewJob[]): RegradeView["counts"] {
  const counts = { queued: 0, running: 0, done: 0, dead: 0, cancelled: 0, total: previews.length };
  for (const p of previews) counts[p.status] += 1;
  return counts;
}

/** Pure: old and new cells of each student with a preview, from the assignment's gradebook facts. */
export function regradeRows(
  data: NonNullable<Awaited<ReturnType<typeof gradebookData>>>,
  previews: readonly PreviewJob[],
  gradesBefore: ReadonlyMap<string, GradeSnapshot> = new Map(),
): RegradeStudent[] {
  const assignment = data.assignments[0];
  if (!assignment) return [];
  const deadlineOf = deadlines(data);
  const penalty = penaltyFor(assignment, data.settings);
  const grouped = attemptsByCell(data.attempts);
  const bySubmission = new Map(previews.map((p) => [p.submissionId, p]));
  const students = new Map(data.students.map((s) => [s.id, s]));
  const userIds = [...new Set(previews.map((p) => p.userId))];

  return userIds
    .map((userId): RegradeStudent => {
      const attempts = grouped.get(`${assignment.id}\u0000${userId}`) ?? [];
      const deadline = deadlineOf(assignment.id, userId);
      const regraded = attempts.map((a): GradebookAttempt => {
        const preview = bySubmission.get(a.submissionId);
        return preview?.status === "done" && preview.verdict
          ? {
              ...a,
              job: { id: preview.jobId, status: preview.status },
              verdict: { status: preview.verdict.status, score: preview.verdict.score },
            }
          : a;
      });
      const before = gradeCell(
        assignment,
        attempts.map((a) => scoreAttempt(a, deadline, penalty)),
      );
      const after = gradeCell(
        assignment,
        regraded.map((a) => scoreAttempt(a, deadline, penalty)),
      );
      const mine = previews.filter((p) => p.userId === userId);
      return {
        // A student who left the course still had submissions regraded; show them by id.
        student: students.get(userId) ?? { id: userId, name: "(no longer enrolled)", email: "" },
        oldScore: before.best,
        newScore: after.best,
        oldStatus: before.status,
        newStatus: after.status,
        done: mine.filter((p) => p.status === "done").length,
        pending: mine.filter((p) => p.status === "queued" || p.status === "running").length,
        unchanged: mine.filter((p) => p.status === "dead" || p.status === "cancelled").length,
        changes: mine.flatMap((p) => {
          const old = gradesBefore.get(p.submissionId);
          if (!old || !p.verdict) return [];
          const diff = gradeDiff(old, gradeSnapshot(p.verdict), null);
          return diff.from === diff.to && diff.baseline === null && diff.checks.length === 0
            ? []
            : [{ submissionId: p.submissionId, ...diff }];
        }),
      };
    })
    .sort((a, b) => a.student.name.localeCompare(b.student.name) || a.student.email.localeCompare(b.student.email));
}

export async function regradeView(db: Db, regrade: Regrade, courseId: string): Promise<RegradeView> {
  // The grading before this regrade, with its finished previews laid over it: old → new both while
  // previewing and after the regrade was applied.
  const [data, previews, before] = await Promise.all([
    gradebookData(db, { courseId, assignmentId: regrade.assignmentId, withoutRegrade: regrade.id }),
    previewJobs(db, regrade.id),
    gradesBeforeRegrade(db, regrade.id),
  ]);
  const counts = tally(previews);
  return {
    regrade,
    counts,
    students: data ? regradeRows(data, previews, before) : [],
    canApply: regrade.status === "previewing" && counts.queued + counts.running === 0,
  };
}
