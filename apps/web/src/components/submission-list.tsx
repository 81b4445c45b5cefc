import Link from "next/link";
import { formatDate, formatNumber, JOB_STATUS_LABEL, VERDICT_HEADING } from "~/lib/format";
import type { SubmissionSummary } from "~/server/services/verdict-view";

export function SubmissionList({ submissions }: { submissions: SubmissionSummary[] }) {
  if (submissions.length === 0) return <p className="muted">No submissions yet.</p>;
  return (
    <table data-testid="submission-list">
      <caption className="visually-hidden">My submissions</caption>
      <thead>
        <tr>
          <th scope="col">Submitted</th>
          <th scope="col">Status</th>
          <th scope="col" className="num">
            Test accuracy
          </th>
        </tr>
      </thead>
      <tbody>
        {submissions.map((s) => {
          const status = s.verdictStatus ?? s.jobStatus;
          const label = s.verdictStatus ? VERDICT_HEADING[s.verdictStatus] : s.jobStatus ? JOB_STATUS_LABEL[s.jobStatus] : "Pending";
          return (
            <tr key={s.id}>
              <td>
                <Link href={`/submissions/${s.id}`}>{formatDate(s.createdAt)}</Link>
              </td>
              <td>
                <span className={`badge ${status ?? ""}`}>{label}</span>
              </td>
              <td className="num">{s.testAccuracy !== null ? formatNumber(s.testAccuracy) : "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
