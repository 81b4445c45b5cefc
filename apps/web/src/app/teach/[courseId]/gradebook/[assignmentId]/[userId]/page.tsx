import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatDate, JOB_STATUS_LABEL, VERDICT_HEADING } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";
import { CELL_STATUS_LABEL, selectionEvidence } from "../../query";

export const metadata: Metadata = { title: "Attempts" };

const pts = (score: number | null) => (score === null ? "—" : String(Math.round(score * 10_000) / 100));

/** Every attempt of one student at one assignment, newest first, each linking to its full record. */
export default async function CellPage({ params }: { params: Promise<{ courseId: string; assignmentId: string; userId: string }> }) {
  const { courseId, assignmentId, userId } = await params;
  const { caller } = await requireUser();
  const view = await load(() => caller.gradebook.cell({ assignmentId, userId }));
  if (view.assignment.courseId !== courseId) notFound();
  const { cell } = view;
  return (
    <>
      <p>
        <Link href={`/teach/${courseId}/gradebook`}>← Gradebook</Link>
      </p>
      <h1>
        {view.student.name} — {view.assignment.title}
      </h1>
      <p className="muted">
        {view.student.email}
        {view.deadline !== null ? ` · Deadline for this student: ${formatDate(view.deadline)}` : " · No deadline"}
      </p>
      {cell && (
        <p>
          {cell.rule === "latest-test-evaluation" ? "Score (latest test evaluation)" : "Best score"}{" "}
          <strong data-testid="cell-best">{pts(cell.best)}</strong> of 100 ·{" "}
          <span className={`badge ${cell.status}`}>{CELL_STATUS_LABEL[cell.status]}</span>
          {cell.late && <span className="badge failed"> Late {cell.daysLate} d</span>} · {cell.attemptsUsed}
          {cell.attemptsAllowed !== null ? ` of ${cell.attemptsAllowed}` : ""} attempts used
          {cell.pending > 0 ? ` · ${cell.pending} pending` : ""}
        </p>
      )}
      {view.attempts.length === 0 ? (
        <p className="note">No submissions yet.</p>
      ) : (
        <table data-testid="attempts">
          <caption className="visually-hidden">Attempts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Submitted</th>
              <th scope="col">Grading</th>
              <th scope="col" className="num">
                Score
              </th>
              <th scope="col" className="num">
                After late penalty
              </th>
              <th scope="col">Late</th>
            </tr>
          </thead>
          <tbody>
            {view.attempts.map((a) => (
              <tr key={a.submissionId}>
                <td>
                  <Link href={`/teach/${courseId}/submissions/${a.submissionId}`}>{formatDate(a.createdAt)}</Link>
                  {cell?.bestSubmissionId === a.submissionId && (
                    <span className="badge passed"> {cell.rule === "best" ? "best" : "counts"}</span>
                  )}
                  {a.selectedOnTest && (
                    <div className="small" data-testid="attempt-selected-on-test">
                      <span className="badge queued">Chosen on test</span> {selectionEvidence(a.selectedOnTest)}
                    </div>
                  )}
                </td>
                <td>
                  {a.verdictStatus ? (
                    <span className={`badge ${a.verdictStatus}`}>{VERDICT_HEADING[a.verdictStatus]}</span>
                  ) : a.jobStatus ? (
                    <span className={`badge ${a.jobStatus}`}>{JOB_STATUS_LABEL[a.jobStatus]}</span>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="num">{pts(a.rawScore)}</td>
                <td className="num">{pts(a.score)}</td>
                <td>{a.late ? `${a.daysLate} day${a.daysLate === 1 ? "" : "s"}` : "On time"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
