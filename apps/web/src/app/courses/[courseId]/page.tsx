import Link from "next/link";
import { ProjectCard } from "~/components/project-card";
import { load, requireUser } from "~/trpc/guard";

export default async function CoursePage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  const { caller } = await requireUser();
  const [{ course, assignments }, projects] = await Promise.all([
    load(() => caller.course.byId({ courseId })),
    load(() => caller.project.list({ courseId })),
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
