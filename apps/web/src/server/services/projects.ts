import { assignmentPlace } from "@stepwise/exercises";
import { courseProjects, type Db, type Project } from "@stepwise/db";

/**
 * A student's projects in a course at `now`, through the one engine every caller shares (with the
 * exercise catalogue as locator); a verdict withheld from the student at `now` counts as graded.
 */
export function studentProjects(db: Db, courseId: string, userId: string, now: number): Promise<Project[]> {
  return courseProjects(db, { courseId, userId, locate: assignmentPlace, now });
}
