import { assignmentPlace } from "@stepwise/exercises";
import { courseProjects, type Db, type Project } from "@stepwise/db";

/** A student's projects in a course, through the one engine every caller shares (with the exercise catalogue as locator). */
export function studentProjects(db: Db, courseId: string, userId: string): Promise<Project[]> {
  return courseProjects(db, { courseId, userId, locate: assignmentPlace });
}
