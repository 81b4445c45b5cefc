import { assignmentPlace } from "@stepwise/exercises";
import { courseProjects, type Db, type Project } from "@stepwise/db";

/** A student's projects in a course, through the one engine every caller shares (with the exercise catalogue as locator). */
export function studentProjects(db: Db, courseId: string, userId: string): Promise<Project[]> {
  return courseProjects(db, { courseId, userId, locate: assignmentPlace });
}

/** What the browser needs of a project: no raw facts (answers of other steps stay in the handoff). */
export function publicProject(project: Project) {
  return {
    key: project.key,
    label: project.label,
    mode: project.mode,
    summary: project.summary,
    handoff: project.handoff,
    steps: project.steps.map((s) => ({
      id: s.id,
      number: s.number,
      title: s.title,
      state: s.status.state,
      attempts: "attempts" in s.status ? s.status.attempts : 0,
      bestScore: s.bestScore,
      reason: s.reason,
      assignmentId: s.assignmentId,
      assignmentTitle: s.assignmentTitle,
    })),
  };
}
export type PublicProject = ReturnType<typeof publicProject>;
