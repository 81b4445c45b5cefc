"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { formatDate, formatNumber, JOB_STATUS_LABEL, VERDICT_HEADING } from "~/lib/format";
import type { SubmissionSummary } from "~/server/services/verdict-view";
import { useTRPC } from "~/trpc/react";
import { CurveComparison } from "./curve-comparison";
import { TableScroll } from "./table-scroll";

/** How often the list is refreshed while a submission in it waits for its verdict, ms. */
const PENDING_POLL_MS = 3_000;

/**
 * The student's submissions, newest first; tick two to overlay their learning curves. With `onLoad`
 * (training steps, the student's own page) each has "Load this model into the editor".
 */
export function SubmissionHistory({ submissions, onLoad }: { submissions: SubmissionSummary[]; onLoad?: (submissionId: string) => void }) {
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));
  const pair = picked.length === 2 ? ([picked[0], picked[1]] as [string, string]) : null;
  // Statuses change without a reload: while any submission is queued or training (graded elsewhere,
  // by the CLI, or older than the one this page watches), the list is fetched again.
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pending = submissions.some(
    (s) => !s.verdictStatus && (s.jobStatus === "queued" || s.jobStatus === "running" || s.jobStatus === null),
  );
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => void queryClient.invalidateQueries({ queryKey: trpc.assignment.byId.pathKey() }), PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [pending, queryClient, trpc]);
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading" style={{ marginTop: 0 }}>
        My submissions
      </h2>
      {submissions.length === 0 ? (
        <p className="muted">No submissions yet.</p>
      ) : (
        <>
          {submissions.length > 1 && (
            <p className="muted small" style={{ marginTop: 0 }}>
              Tick two submissions to compare their learning curves.
            </p>
          )}
          <TableScroll label="My submissions table">
            <table data-testid="submission-list">
              <caption className="visually-hidden">My submissions</caption>
              <thead>
                <tr>
                  {submissions.length > 1 && <th scope="col">Compare</th>}
                  <th scope="col">Submitted</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Test accuracy
                  </th>
                  {onLoad && <th scope="col">Model</th>}
                </tr>
              </thead>
              <tbody>
                {submissions.map((s) => {
                  const status = s.verdictStatus ?? s.jobStatus;
                  const label = s.verdictStatus
                    ? VERDICT_HEADING[s.verdictStatus]
                    : s.jobStatus
                      ? JOB_STATUS_LABEL[s.jobStatus]
                      : "Pending";
                  return (
                    <tr key={s.id}>
                      {submissions.length > 1 && (
                        <td>
                          <input
                            type="checkbox"
                            checked={picked.includes(s.id)}
                            onChange={() => toggle(s.id)}
                            aria-label={`Compare the submission of ${formatDate(s.createdAt)}`}
                          />
                        </td>
                      )}
                      <td>
                        <Link href={`/submissions/${s.id}`}>{formatDate(s.createdAt)}</Link>
                      </td>
                      <td>
                        <span className={`badge ${status ?? ""}`}>{label}</span>
                      </td>
                      <td className="num">{s.testAccuracy !== null ? formatNumber(s.testAccuracy) : "—"}</td>
                      {onLoad && (
                        <td>
                          <button
                            type="button"
                            className="secondary small"
                            onClick={() => onLoad(s.id)}
                            aria-label={`Load this model into the editor (submission of ${formatDate(s.createdAt)})`}
                          >
                            Load this model into the editor
                          </button>
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
      {pair && (
        <>
          <h3>Comparison</h3>
          <CurveComparison ids={pair} />
        </>
      )}
    </section>
  );
}
