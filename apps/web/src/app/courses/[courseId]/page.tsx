import Link from "next/link";
import { ASSIGNMENT_STATUS_LABEL, formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";

export default async function CoursePage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  const { caller } = await requireUser();
  const { course, assignments } = await load(() => caller.course.byId({ courseId }));
  return (
    <>
      <p>
        <Link href="/courses">← My courses</Link>
      </p>
      <h1>{course.title}</h1>
      <p className="muted">Each assignment is one step of the workflow. Work through them in order.</p>
      <ol className="steps" aria-label="Assignments">
        {assignments.map((a) => (
          <li key={a.id} className="step" data-testid="assignment-row">
            <div className="step-number" aria-label={`Step ${a.step ?? a.position}`}>
              {a.step ?? a.position}
            </div>
            <div>
              <Link href={`/courses/${course.id}/assignments/${a.id}`}>{a.exerciseTitle}</Link>
              <div className="step-meta">
                Attempts: {a.attemptsUsed}
                {a.attemptsAllowed !== null ? ` of ${a.attemptsAllowed}` : " (unlimited)"}
                {a.deadline !== null && <> · Due {formatDate(a.deadline)}</>}
              </div>
            </div>
            <span className={`badge ${a.status}`} data-testid="assignment-status">
              {ASSIGNMENT_STATUS_LABEL[a.status]}
            </span>
          </li>
        ))}
      </ol>
    </>
  );
}
