"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { AppRouter } from "~/server/root";
import { checkLabel } from "~/lib/check-labels";
import { describeChange } from "~/lib/grade-change-text";
import { useTRPC } from "~/trpc/react";
import { TableScroll } from "~/components/table-scroll";

type Status = inferRouterOutputs<AppRouter>["regrade"]["status"];

const POLL_MS = 1_000;
const pts = (score: number | null) => (score === null ? "—" : String(Math.round(score * 10_000) / 100));

function change(oldScore: number | null, newScore: number | null): { text: string; className: string } {
  if (newScore === null || oldScore === newScore) return { text: "no change", className: "muted" };
  if (oldScore === null) return { text: "new grade", className: "check-ok" };
  const delta = Math.round((newScore - oldScore) * 10_000) / 100;
  return delta > 0 ? { text: `+${delta}`, className: "check-ok" } : { text: `${delta}`, className: "check-bad" };
}

/** Per changed submission: its status and baseline change, then each check that flipped with the grader's reason. */
function WhatChanged({ changes }: { changes: Status["students"][number]["changes"] }) {
  if (changes.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="plain-list">
      {changes.map((change) => (
        <li key={change.submissionId}>
          {describeChange(change)}
          {change.checks.map((check) => (
            <div key={check.id}>
              {checkLabel(check.id)}: {check.from === null ? "new" : check.from ? "passed" : "failed"} → {check.to ? "passed" : "failed"} —{" "}
              {check.message}
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}

/**
 * Starts a regrade, then polls its status (once a second while anything is still grading) and shows
 * each student's old → new score as previews finish; Apply becomes possible when none is running.
 */
export function RegradePanel({
  assignmentId,
  initialRegradeId,
  initial,
}: {
  assignmentId: string;
  initialRegradeId: string | null;
  initial: Status | null;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [regradeId, setRegradeId] = useState<string | null>(initialRegradeId);
  const status = useQuery({
    ...trpc.regrade.status.queryOptions(
      { regradeId: regradeId ?? "" },
      { enabled: regradeId !== null, ...(initial && initial.regrade.id === regradeId ? { initialData: initial } : {}) },
    ),
    refetchInterval: (query) => {
      const data = query.state.data;
      return data && data.regrade.status === "previewing" && !data.canApply ? POLL_MS : false;
    },
  });
  const start = useMutation(trpc.regrade.start.mutationOptions({ onSuccess: (r) => setRegradeId(r.regradeId) }));
  const apply = useMutation(
    trpc.regrade.commit.mutationOptions({
      onSuccess: () => {
        void status.refetch();
        router.refresh();
      },
    }),
  );
  const discard = useMutation(
    trpc.regrade.discard.mutationOptions({
      onSuccess: () => {
        void status.refetch();
        router.refresh();
      },
    }),
  );
  const error = start.error ?? apply.error ?? discard.error ?? status.error;
  const view = regradeId !== null ? status.data : undefined;
  const closed = view && view.regrade.status !== "previewing";

  return (
    <section className="card stack" aria-labelledby="regrade-heading">
      <h2 id="regrade-heading" style={{ marginTop: 0 }}>
        {view
          ? view.regrade.status === "previewing"
            ? "Preview"
            : view.regrade.status === "applied"
              ? "Applied"
              : "Discarded"
          : "Start a regrade"}
      </h2>
      {(!view || closed) && (
        <div className="actions">
          <button type="button" disabled={start.isPending} onClick={() => start.mutate({ assignmentId })} data-testid="start-regrade">
            {start.isPending ? "Starting…" : closed ? "Start another regrade" : "Regrade all submissions"}
          </button>
        </div>
      )}
      {view && (
        <>
          <p role="status" aria-live="polite" data-testid="regrade-progress">
            {view.counts.done} of {view.counts.total} submission{view.counts.total === 1 ? "" : "s"} regraded
            {view.counts.queued + view.counts.running > 0 ? ` · ${view.counts.queued} queued, ${view.counts.running} running` : ""}
            {view.counts.dead > 0 ? ` · ${view.counts.dead} failed (keep their grade)` : ""}
            {view.counts.cancelled > 0 ? ` · ${view.counts.cancelled} cancelled` : ""}
            {view.regrade.status === "applied" ? " · applied to the gradebook" : view.regrade.status === "discarded" ? " · discarded" : ""}
          </p>
          <TableScroll label="Regrade preview: score of each student now and after">
            <table data-testid="regrade-preview">
              <caption className="visually-hidden">Score of each student now and after the regrade</caption>
              <thead>
                <tr>
                  <th scope="col">Student</th>
                  <th scope="col" className="num">
                    Now
                  </th>
                  <th scope="col" className="num">
                    After regrade
                  </th>
                  <th scope="col">Change</th>
                  <th scope="col">What changed</th>
                  <th scope="col">Progress</th>
                </tr>
              </thead>
              <tbody>
                {view.students.map((s) => {
                  const c = change(s.oldScore, s.newScore);
                  return (
                    <tr key={s.student.id} data-testid="regrade-row">
                      <th scope="row">
                        {s.student.name}
                        <div className="small muted">{s.student.email}</div>
                      </th>
                      <td className="num" data-testid="old-score">
                        {pts(s.oldScore)}
                      </td>
                      <td className="num" data-testid="new-score">
                        {s.pending > 0 && s.done === 0 ? "…" : pts(s.newScore)}
                      </td>
                      <td className={c.className}>{c.text}</td>
                      <td className="small" data-testid="regrade-why">
                        <WhatChanged changes={s.changes} />
                      </td>
                      <td className="small">
                        {s.done} done{s.pending > 0 ? `, ${s.pending} pending` : ""}
                        {s.unchanged > 0 ? `, ${s.unchanged} unchanged` : ""}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
          {view.regrade.status === "previewing" && (
            <div className="actions">
              <button
                type="button"
                disabled={!view.canApply || apply.isPending}
                onClick={() => apply.mutate({ regradeId: view.regrade.id })}
                aria-describedby="apply-hint"
                data-testid="apply-regrade"
              >
                {apply.isPending ? "Applying…" : "Apply to the gradebook"}
              </button>
              <button
                type="button"
                className="secondary"
                disabled={discard.isPending}
                onClick={() => discard.mutate({ regradeId: view.regrade.id })}
                data-testid="discard-regrade"
              >
                Discard
              </button>
              <span id="apply-hint" className="muted small">
                {view.canApply
                  ? "Every student's new grade replaces the current one at once."
                  : "Apply becomes possible once every preview has finished."}
              </span>
            </div>
          )}
          {apply.data && (
            <p className="ok-box" data-testid="apply-result">
              Applied: {apply.data.applied} submission{apply.data.applied === 1 ? "" : "s"} regraded
              {apply.data.unchanged > 0 ? `, ${apply.data.unchanged} kept their grade (their preview failed)` : ""}.
            </p>
          )}
        </>
      )}
      <div aria-live="polite">
        {error && (
          <p role="alert" className="error-box">
            {error.message}
          </p>
        )}
      </div>
    </section>
  );
}
