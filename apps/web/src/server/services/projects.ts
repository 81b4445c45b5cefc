import { assignmentPlace } from "@stepwise/exercises";
import { clears } from "@stepwise/core/workflow";
import { courseProjects, type Db, type Project } from "@stepwise/db";

/**
 * A student's projects in a course at `now`, through the one engine every caller shares (with the
 * exercise catalogue as locator); a verdict withheld from the student at `now` counts as graded.
 */
export function studentProjects(db: Db, courseId: string, userId: string, now: number): Promise<Project[]> {
  return courseProjects(db, { courseId, userId, locate: assignmentPlace, now });
}

/** Why a step is locked for a student, and the step to work on to unlock it (the page shows both before any work starts). */
export interface StepLock {
  reason: string;
  /** The earliest step before it that is neither passed nor locked: where the student goes next; null when none is. */
  unlockedBy: { assignmentId: string; number: number; title: string } | null;
}

/** The lock of an assignment's step for one student at `now`; null when it is open (or outside the workflow). */
export async function stepLock(
  db: Db,
  input: { courseId: string; assignmentId: string; userId: string; now: number },
): Promise<StepLock | null> {
  for (const project of await studentProjects(db, input.courseId, input.userId, input.now)) {
    const step = project.steps.find((s) => s.assignmentIds.includes(input.assignmentId));
    if (!step) continue;
    if (step.status.state !== "locked") return null;
    const to = project.steps.find((s) => s.number < step.number && !clears(s.status) && s.status.state !== "locked");
    return {
      reason: step.reason ?? `Step ${step.number} on ${project.label} is locked.`,
      unlockedBy: to ? { assignmentId: to.assignmentId, number: to.number, title: to.title } : null,
    };
  }
  return null;
}
