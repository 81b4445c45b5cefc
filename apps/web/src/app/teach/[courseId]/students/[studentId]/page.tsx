import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { load, requireUser } from "~/trpc/guard";
import { StepOverrides } from "./step-overrides";

export const metadata: Metadata = { title: "Student progress" };

/** One student's projects in a taught course, step by step, with the instructor's overrides. */
export default async function StudentProgressPage({ params }: { params: Promise<{ courseId: string; studentId: string }> }) {
  const { courseId, studentId } = await params;
  const { caller } = await requireUser();
  const [{ course }, members, projects] = await load(() =>
    Promise.all([caller.course.overview({ courseId }), caller.course.members({ courseId }), caller.project.list({ courseId, studentId })]),
  );
  const student = members.students.find((s) => s.userId === studentId);
  if (!student) notFound();
  return (
    <>
      <p>
        <Link href={`/teach/${course.id}`}>← {course.title}</Link>
      </p>
      <h1>
        {student.name} <span className="muted small">{student.email}</span>
      </h1>
      <p className="muted">
        {course.settings.mode === "independent"
          ? "This course is independent: every step is open, so only “mark passed” changes anything."
          : "Open a step the student may not reach yet, or count a step as passed; undo puts the step back to what the student's own work gives."}
      </p>
      {projects.length === 0 ? (
        <p className="muted">This course has no workflow steps yet.</p>
      ) : (
        projects.map((p) => <StepOverrides key={p.key} courseId={course.id} studentId={studentId} initial={p} />)
      )}
    </>
  );
}
