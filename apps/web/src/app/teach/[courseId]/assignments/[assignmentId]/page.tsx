import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { load, requireUser } from "~/trpc/guard";
import { AssignmentForm } from "../../../assignment-form";
import { toolboxOptions } from "../../../toolbox-options";
import { AuditLog } from "./audit-log";
import { Extensions } from "./extensions";

export const metadata: Metadata = { title: "Assignment settings" };

export default async function TeachAssignmentPage({ params }: { params: Promise<{ courseId: string; assignmentId: string }> }) {
  const { courseId, assignmentId } = await params;
  const { caller } = await requireUser();
  const [view, catalog, audit] = await load(() =>
    Promise.all([caller.assignment.overview({ assignmentId }), caller.assignment.catalog(), caller.assignment.audit({ assignmentId })]),
  );
  // The URL's course must be the assignment's: a mismatched pair is a wrong link, not a second way in.
  if (view.course.id !== courseId) notFound();
  const { course, assignment } = view;
  return (
    <>
      <p>
        <Link href={`/teach/${course.id}`}>← {course.title}</Link>
      </p>
      <h1>{assignment.title}</h1>
      <nav aria-label="Assignment tools" className="actions">
        <Link href={`/teach/${course.id}/assignments/${assignment.id}/regrade`}>Regrade submissions</Link>
        <Link href={`/courses/${course.id}/assignments/${assignment.id}`}>Student view</Link>
      </nav>
      <section className="card" aria-labelledby="overrides-heading" style={{ marginTop: "1rem" }}>
        <h2 id="overrides-heading" style={{ marginTop: 0 }}>
          Settings and overrides
        </h2>
        <p className="muted small">
          Empty fields keep the exercise&apos;s defaults (shown greyed). After changing thresholds, regrade to apply them to earlier
          submissions.
        </p>
        <AssignmentForm
          mode="edit"
          assignment={assignment}
          catalog={catalog}
          defaultAttempts={course.settings.defaultAttempts}
          options={toolboxOptions()}
        />
      </section>
      <section className="card" aria-labelledby="extensions-heading">
        <h2 id="extensions-heading" style={{ marginTop: 0 }}>
          Extensions
        </h2>
        <Extensions assignmentId={assignment.id} extensions={view.extensions} students={view.students} />
      </section>
      <section className="card" aria-labelledby="audit-heading">
        <h2 id="audit-heading" style={{ marginTop: 0 }}>
          Audit log
        </h2>
        <AuditLog events={audit} />
      </section>
    </>
  );
}
