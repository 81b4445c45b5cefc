"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { formatDate } from "~/lib/format";
import type { GradeNotice } from "~/server/services/grade-notice";
import { describeChange } from "~/lib/grade-change-text";
import { useTRPC } from "~/trpc/react";

/**
 * "Regraded on <date>: passed → failed (baseline changed 0.1135 → 0.96)" above a submission's verdict,
 * with the checks that changed. Reading it on one's own submission marks it seen, which takes the
 * flag off the course page.
 */
export function RegradeNotice({ notice, mine }: { notice: GradeNotice; mine: boolean }) {
  const trpc = useTRPC();
  const markSeen = useMutation(trpc.gradeChange.markSeen.mutationOptions());
  const { mutate } = markSeen;
  useEffect(() => {
    if (mine && !notice.seen) mutate({ submissionId: notice.submissionId });
  }, [mine, notice.seen, notice.submissionId, mutate]);
  return (
    <aside className="notice-box" aria-labelledby="regrade-notice-heading" data-testid="regrade-notice">
      <p id="regrade-notice-heading" style={{ margin: 0 }}>
        <strong>Regraded on {formatDate(notice.at)}:</strong> {describeChange(notice)}
      </p>
      {notice.checks.length > 0 && (
        <ul className="small" style={{ margin: "0.4rem 0 0" }}>
          {notice.checks.map((c) => (
            <li key={c.id}>
              {c.label}: {c.from === null ? "new check" : c.from ? "passed" : "failed"} → {c.to ? "passed" : "failed"} — {c.message}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
