import type { Metadata } from "next";
import Link from "next/link";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";
import { CELL_STATUS_LABEL, gradebookInput, gradebookHref, selectionEvidence, STATUS_FILTERS, type SearchParams } from "./query";

export const metadata: Metadata = { title: "Gradebook" };

/** Points out of 100 as the CSV export writes them (hundredths, no trailing zeros). */
function points(score: number | null): string {
  return score === null ? "—" : String(Math.round(score * 10_000) / 100);
}

/**
 * Students × assignments, server-rendered: the filter form is a plain GET form and the sort links
 * are links, so the gradebook works (and can be bookmarked) without JavaScript.
 */
export default async function GradebookPage({ params, searchParams }: { params: Promise<{ courseId: string }>; searchParams: Promise<SearchParams> }) {
  const { courseId } = await params;
  const query = gradebookInput(await searchParams);
  const { caller } = await requireUser();
  const view = await load(() => caller.gradebook.view({ courseId, ...query }));
  const base = `/teach/${courseId}/gradebook`;
  const sortLink = (sort: string, label: string) => {
    const active = query.sort === sort || (query.sort === undefined && sort === "name");
    const dir = active && query.dir !== "desc" ? "desc" : "asc";
    return (
      <Link href={gradebookHref(base, { ...query, sort, dir })} aria-label={`Sort by ${label}${active ? (dir === "asc" ? ", ascending" : ", descending") : ""}`}>
        {label}
        {active ? (query.dir === "desc" ? " ▼" : " ▲") : ""}
      </Link>
    );
  };
  const filtered = view.rows.length !== view.students;

  return (
    <>
      <p>
        <Link href={`/teach/${courseId}`}>← {view.course.title}</Link>
      </p>
      <h1>Gradebook</h1>
      <p className="muted">
        Best score of each student on each assignment after the late penalty, out of 100. A cell links to every attempt.
      </p>

      <div className="actions" style={{ marginBottom: "1rem" }}>
        <a className="button secondary" href={`/api/teach/${courseId}/export/grades`} download data-testid="export-grades">
          Export grades (CSV)
        </a>
        <a className="button secondary" href={`/api/teach/${courseId}/export/canvas`} download data-testid="export-canvas">
          Export for Canvas
        </a>
        <Link href={`/teach/${courseId}/jobs`}>Grading failures</Link>
      </div>

      <form method="get" action={base} className="card inline-form" role="search" aria-label="Filter the gradebook">
        <label>
          Student
          <input type="search" name="search" defaultValue={query.search ?? ""} placeholder="Name or e-mail" />
        </label>
        <label>
          Assignment
          <select name="assignment" defaultValue={query.assignmentId ?? ""}>
            <option value="">All</option>
            {view.allAssignments.map((a) => (
              <option key={a.id} value={a.id}>
                {a.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={query.status ?? ""}>
            <option value="">Any</option>
            {STATUS_FILTERS.map((s) => (
              <option key={s} value={s}>
                {CELL_STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Lateness
          <select name="late" defaultValue={query.late === undefined ? "" : query.late ? "yes" : "no"}>
            <option value="">Any</option>
            <option value="yes">Late</option>
            <option value="no">On time</option>
          </select>
        </label>
        {query.sort !== undefined && <input type="hidden" name="sort" value={query.sort} />}
        {query.dir !== undefined && <input type="hidden" name="dir" value={query.dir} />}
        <button type="submit">Apply</button>
        {filtered && <Link href={base}>Clear</Link>}
      </form>

      <p className="muted" role="status">
        {view.rows.length} of {view.students} student{view.students === 1 ? "" : "s"}
      </p>

      {view.assignments.length === 0 ? (
        <p className="note">This course has no assignments yet.</p>
      ) : (
        <div style={{ overflowX: "auto" }}>
          <table data-testid="gradebook">
            <caption className="visually-hidden">Score per student and assignment: the best attempt, or for step 7 the latest test evaluation</caption>
            <thead>
              <tr>
                <th scope="col">
                  {sortLink("name", "Student")} <span className="small">({sortLink("email", "e-mail")})</span>
                </th>
                {view.assignments.map((a) => (
                  <th scope="col" key={a.id} className="num">
                    {sortLink(`assignment:${a.id}`, a.title)}
                    <div className="small">
                      {a.deadline !== null ? `Due ${formatDate(a.deadline)}` : "No deadline"} ·{" "}
                      <Link href={`/teach/${courseId}/assignments/${a.id}/regrade`}>Regrade</Link>
                    </div>
                  </th>
                ))}
                <th scope="col" className="num">
                  {sortLink("total", "Total")}
                </th>
              </tr>
            </thead>
            <tbody>
              {view.rows.map((row) => (
                <tr key={row.student.id} data-testid="gradebook-row">
                  <th scope="row">
                    {row.student.name}
                    <div className="small muted">{row.student.email}</div>
                  </th>
                  {row.cells.map((cell) => {
                    const assignment = view.assignments.find((a) => a.id === cell.assignmentId);
                    return (
                      <td key={cell.assignmentId} className="num" data-testid={`cell-${cell.assignmentId}`}>
                        <Link
                          href={`/teach/${courseId}/gradebook/${cell.assignmentId}/${row.student.id}`}
                          aria-label={`${row.student.name}, ${assignment?.title ?? "assignment"}: ${points(cell.best)} points, ${CELL_STATUS_LABEL[cell.status]}${cell.late ? ", late" : ""}${cell.selectedOnTest ? ", configuration chosen on the test score" : ""}`}
                        >
                          <strong data-testid="cell-score">{points(cell.best)}</strong>
                        </Link>
                        <div className="stack-tight" style={{ justifyItems: "end" }}>
                          <span className={`badge ${cell.status}`} data-testid="cell-status">
                            {CELL_STATUS_LABEL[cell.status]}
                          </span>
                          {cell.late && (
                            <span className="badge failed" data-testid="cell-late">
                              Late {cell.daysLate} d
                            </span>
                          )}
                          {cell.selectedOnTest && (
                            <span className="badge queued" data-testid="cell-selected-on-test" title={selectionEvidence(cell.selectedOnTest.flag)}>
                              Chosen on test
                            </span>
                          )}
                          <span className="small muted">
                            {cell.attemptsUsed}
                            {cell.attemptsAllowed !== null ? ` / ${cell.attemptsAllowed}` : ""} attempt{cell.attemptsUsed === 1 && cell.attemptsAllowed === null ? "" : "s"}
                            {cell.pending > 0 ? ` · ${cell.pending} pending` : ""}
                          </span>
                        </div>
                      </td>
                    );
                  })}
                  <td className="num" data-testid="row-total">
                    <strong>{row.total}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {view.rows.some((row) => row.cells.some((c) => c.rule === "latest-test-evaluation")) && (
            <p className="small muted" data-testid="step7-rule">
              Step-7 scores are the latest evaluation on the hidden test set, not the best: taking the best of several test scores would
              itself choose on the test set. “Chosen on test” marks a configuration submitted after a test score was seen that was no
              better on validation than one already evaluated; hover it, or open the cell, for the evidence.
            </p>
          )}
        </div>
      )}
    </>
  );
}
