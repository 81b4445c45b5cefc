import type { Metadata } from "next";
import Link from "next/link";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";
import { RetryButton } from "./retry-button";

export const metadata: Metadata = { title: "Grading failures" };

const PURPOSE_LABEL: Record<string, string> = { grade: "Grading", preview: "Regrade preview", experiment: "Experiment" };

/** Dead-lettered jobs of the course: the grader failed on every attempt. Each can be put back in the queue. */
export default async function DeadLettersPage({ params }: { params: Promise<{ courseId: string }> }) {
  const { courseId } = await params;
  const { caller } = await requireUser();
  const letters = await load(() => caller.gradebook.deadLetters({ courseId }));
  return (
    <>
      <p>
        <Link href={`/teach/${courseId}/gradebook`}>← Gradebook</Link>
      </p>
      <h1>Grading failures</h1>
      <p className="muted">
        Jobs the grader gave up on after every attempt failed on our side (the student is not charged an attempt). Fix the cause — the
        error says what went wrong — then retry: the job goes back to the queue with fresh attempts.
      </p>
      {letters.length === 0 ? (
        <p className="ok-box" data-testid="no-dead-letters">
          No failed grading jobs.
        </p>
      ) : (
        <table data-testid="dead-letters">
          <caption className="visually-hidden">Failed grading jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Student</th>
              <th scope="col">Assignment</th>
              <th scope="col">Job</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {letters.map((l) => (
              <tr key={l.jobId} data-testid="dead-letter">
                <td>
                  {l.userName}
                  <div className="small muted">{l.userEmail}</div>
                </td>
                <td>
                  <Link href={`/teach/${courseId}/submissions/${l.submissionId}`}>{l.assignmentTitle}</Link>
                </td>
                <td>
                  {PURPOSE_LABEL[l.purpose] ?? l.purpose}
                  {l.finishedAt !== null && <div className="small muted">failed {formatDate(l.finishedAt)}</div>}
                </td>
                <td className="num">
                  {l.attempts} of {l.maxAttempts}
                </td>
                <td>
                  <code className="small" style={{ whiteSpace: "pre-wrap" }}>
                    {l.lastError ?? "—"}
                  </code>
                </td>
                <td>
                  <RetryButton jobId={l.jobId} label={`Retry grading ${l.userName}'s ${l.assignmentTitle}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
