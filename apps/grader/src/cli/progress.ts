import { assignmentPlace } from "@stepwise/exercises";
import { courseProjects, coursesForUser, type Db, type Project, type ProjectView, projectView, userByEmail } from "@stepwise/db";

/** One course's projects as `stepwise progress --json` prints them (the course page's view of each). */
export interface CourseProgress {
  course: { id: string; title: string; mode: Project["mode"] };
  projects: ProjectView[];
}

export class ProgressUsageError extends Error {}

/**
 * Every project of a student in each course they are enrolled in (or in `courseId` only), from the
 * same engine the web app's course page and submission gate read.
 */
export async function studentProgress(db: Db, input: { email: string; courseId?: string; now: number }): Promise<CourseProgress[]> {
  const student = await userByEmail(db, input.email);
  if (!student) throw new ProgressUsageError(`No user with email ${input.email}.`);
  const courses = (await coursesForUser(db, student.id)).filter((c) => input.courseId === undefined || c.id === input.courseId);
  if (input.courseId !== undefined && courses.length === 0)
    throw new ProgressUsageError(`${input.email} is not enrolled in course ${input.courseId}.`);
  return Promise.all(
    courses.map(async (course) => ({
      course: { id: course.id, title: course.title, mode: course.mode },
      projects: (await courseProjects(db, { courseId: course.id, userId: student.id, locate: assignmentPlace, now: input.now })).map(
        projectView,
      ),
    })),
  );
}

const SYMBOL: Record<string, string> = { passed: "✓", failed: "✗", submitted: "…", graded: "•", open: "○", locked: "🔒" };

/** The human-readable table: one block per project, one line per step. */
export function progressText(courses: readonly CourseProgress[]): string {
  const lines: string[] = [];
  for (const { course, projects } of courses) {
    lines.push(`${course.title} (${course.mode})`);
    for (const project of projects) {
      const next = project.summary.next ? ` — next: step ${project.summary.next.number}` : "";
      lines.push(`  ${project.label}: ${project.summary.passed} of ${project.summary.total} passed${next}`);
      for (const step of project.steps) {
        const score = step.bestScore === null ? "" : `  best ${step.bestScore.toFixed(2)}`;
        const tries = step.attempts > 0 ? `  ${step.attempts} attempt${step.attempts === 1 ? "" : "s"}` : "";
        lines.push(
          `    ${SYMBOL[step.state] ?? "?"} ${step.number}. ${step.title.padEnd(56)} ${step.state.padEnd(9)}${tries}${score}${step.reason ? `  ${step.reason}` : ""}`,
        );
      }
    }
  }
  return lines.join("\n");
}
