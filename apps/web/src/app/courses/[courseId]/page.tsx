import Link from "next/link";
import { ProjectCard } from "~/components/project-card";
import { describeChange } from "~/lib/grade-change-text";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";

export default async function CoursePage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  const { caller } = await requireUser();
  const [{ course, assignments }, projects, changed] = await Promise.all([
    load(() => caller.course.byId({ courseId })),
    load(() => caller.project.list({ courseId })),
    load(() => caller.gradeChange.unseen({ courseId })),
  ]);
  // Deadlines and attempt limits are the assignment's; states, best scores and lock reasons come from the workflow engine.
  const limits = new Map(assignments.map((a) => [a.id, a]));
  const guided = projects[0]?.mode !== "independent";
  return (
    <>
      <p>
        <Link href="/courses">← My courses</Link>
      </p>
      <h1>{course.title}</h1>
      <p className="muted" data-testid="course-mode">
        {guided
          ? "Each dataset is one project: work through its seven steps in order. A step opens once you pass the step before it."
          : "Each dataset is one project with seven steps. In this course every step is open: take them in the order you like."}
      </p>
      {changed.length > 0 && (
        <section className="notice-box" aria-labelledby="changed-heading" data-testid="changed-grades">
          <h2 id="changed-heading" style={{ margin: 0, fontSize: "1.05rem" }}>
            {changed.length === 1 ? "A grade changed" : `${changed.length} grades changed`}
          </h2>
          <ul style={{ margin: "0.4rem 0 0" }}>
            {changed.map((c) => (
              <li key={c.eventId}>
                <Link href={`/submissions/${c.submissionId}`}>{c.assignmentTitle}</Link>: regraded on {formatDate(c.at)},{" "}
                {describeChange(c)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {projects.length === 0 && <p>This course has no assignments yet.</p>}
      {projects.map((project) => (
        <ProjectCard
          key={project.key}
          courseId={course.id}
          project={project}
          limits={Object.fromEntries(project.steps.map((s) => [s.id, limits.get(s.assignmentId) ?? null]))}
        />
      ))}
    </>
  );
}
