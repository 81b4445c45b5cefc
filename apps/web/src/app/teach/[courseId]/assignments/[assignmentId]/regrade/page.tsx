import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";
import { RegradePanel } from "./regrade-panel";

export const metadata: Metadata = { title: "Regrade" };

const STATUS_LABEL = { previewing: "Previewing", applied: "Applied", discarded: "Discarded" } as const;

/** Regrade an assignment: preview how every student's score would change, then apply or discard. */
export default async function RegradePage({ params }: { params: Promise<{ courseId: string; assignmentId: string }> }) {
  const { courseId, assignmentId } = await params;
  const { caller } = await requireUser();
  const { assignment, regrades, previewing } = await load(() => caller.regrade.forAssignment({ assignmentId }));
  if (assignment.courseId !== courseId) notFound();
  const initial = previewing ? await load(() => caller.regrade.status({ regradeId: previewing })) : null;
  const past = regrades.filter((r) => r.status !== "previewing");
  return (
    <>
      <p>
        <Link href={`/teach/${courseId}/gradebook`}>← Gradebook</Link>
      </p>
      <h1>Regrade {assignment.title}</h1>
      <p className="muted">
        After you change the assignment (a threshold, a budget, the visibility of a check), regrading runs the grader again on every
        submission with the assignment as it is now. Students and the gradebook keep the current grades until you apply the preview.
      </p>
      <RegradePanel assignmentId={assignment.id} initialRegradeId={previewing} initial={initial} />
      {past.length > 0 && (
        <section aria-labelledby="history-heading">
          <h2 id="history-heading">Earlier regrades</h2>
          <ul>
            {past.map((r) => (
              <li key={r.id}>
                {STATUS_LABEL[r.status]} — started {formatDate(r.createdAt)}
                {r.finishedAt !== null ? `, ${r.status} ${formatDate(r.finishedAt)}` : ""}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
