import type { Metadata } from "next";
import Link from "next/link";
import { formatDate } from "~/lib/format";
import { load, requireUser } from "~/trpc/guard";
import { GradebookGrid } from "./gradebook-grid";
import { type GridColumn, type GridRow, packCell } from "./grid-cell";
import { CELL_STATUS_LABEL, gradebookInput, gradebookHref, STATUS_FILTERS, type SearchParams } from "./query";
import { SummaryTable } from "./summary-table";

export const metadata: Metadata = { title: "Gradebook" };

/**
 * Students × assignments: the filter form is a plain GET form and the sort links are links, so
 * filtering and sorting happen on the server (and can be bookmarked); the grid's first screen is
 * server-rendered too, and scrolling, collapsing and the keyboard need its client part.
 */
export default async function GradebookPage({
  params,
  searchParams,
}: {
  params: Promise<{ courseId: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { courseId } = await params;
  const query = gradebookInput(await searchParams);
  const { caller } = await requireUser();
  const view = await load(() => caller.gradebook.view({ courseId, ...query }));
  const base = `/teach/${courseId}/gradebook`;
  const sortLink = (sort: string, label: string) => {
    const active = query.sort === sort || (query.sort === undefined && sort === "name");
    const dir = active && query.dir !== "desc" ? "desc" : "asc";
    return {
      href: gradebookHref(base, { ...query, sort, dir }),
      label: `Sort by ${label}${active ? (dir === "asc" ? ", ascending" : ", descending") : ""}`,
      mark: active ? (query.dir === "desc" ? " ▼" : " ▲") : "",
    };
  };
  const filtered = view.rows.length !== view.students;
  // The attempt limit is the assignment's: every cell of a column carries the same one.
  const limits = new Map(view.rows[0]?.cells.map((c) => [c.assignmentId, c.attemptsAllowed]) ?? []);
  const columns: GridColumn[] = view.assignments.map((a) => ({
    id: a.id,
    title: a.title,
    short: a.place ? `Step ${a.place.step}` : a.title,
    ...((limit) => (limit != null ? { allowed: limit } : {}))(limits.get(a.id)),
    due: a.deadline !== null ? `Due ${formatDate(a.deadline)}` : "No deadline",
    project: a.place?.project ?? "other",
    projectLabel: a.place?.label ?? "Other",
    sort: sortLink(`assignment:${a.id}`, a.title),
  }));
  // Each linked cell's grade passback to the course's LMS (none when the course is not connected to one).
  const passbacks = new Map((await load(() => caller.lti.passbacks({ courseId }))).map((p) => [`${p.assignmentId}:${p.userId}`, p]));
  const rows: GridRow[] = view.rows.map((r) => ({
    id: r.student.id,
    name: r.student.name,
    email: r.student.email,
    total: r.total,
    cells: r.cells.map((cell) => packCell(cell, passbacks.get(`${cell.assignmentId}:${r.student.id}`) ?? null)),
  }));
  const titles = new Map(view.assignments.map((a) => [a.id, { title: a.title, project: a.place?.project ?? null }]));
  const names = new Map(view.allAssignments.map((a) => [a.id, a.title]));

  return (
    <>
      <p>
        <Link href={`/teach/${courseId}`}>← {view.course.title}</Link>
      </p>
      <h1>Gradebook</h1>
      <p className="muted">
        Best score of each student on each assignment after the late penalty, out of 100. Hover or focus a cell for its details; open it for
        every attempt.
      </p>

      <div className="actions" style={{ marginBottom: "1rem" }}>
        <a className="button secondary" href={`/api/teach/${courseId}/export/grades`} download data-testid="export-grades">
          Export grades (CSV)
        </a>
        <a className="button secondary" href={`/api/teach/${courseId}/export/canvas`} download data-testid="export-canvas">
          Export for Canvas
        </a>
        <Link href={`/teach/${courseId}/jobs`}>Jobs</Link>
      </div>

      <form method="get" action={base} className="card inline-form gb-filters" role="search" aria-label="Filter the gradebook">
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
        <label>
          <input type="checkbox" name="identical" value="yes" defaultChecked={query.identical === true} /> Identical work only
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
        <>
          <GradebookGrid
            courseId={courseId}
            columns={columns}
            rows={rows}
            maxTotal={view.maxTotal}
            sort={{ name: sortLink("name", "Student"), email: sortLink("email", "e-mail"), total: sortLink("total", "Total") }}
          />
          <p className="gb-legend" aria-label="Legend">
            <span>✓ passed · ✗ failed · ! invalid or diverged · ⚠ grader error · … pending · · not attempted</span>
            <span>L late · T chosen on test · =N identical work, group N</span>
          </p>
          {view.rows.some((row) => row.cells.some((c) => c.rule === "latest-test-evaluation")) && (
            <p className="small muted" data-testid="step7-rule">
              Step-7 scores are the latest evaluation on the hidden test set, not the best: taking the best of several test scores would
              itself choose on the test set. “Chosen on test” (T) marks a configuration submitted after a test score was seen that was no
              better on validation than one already evaluated; hover or focus it, or open the cell, for the evidence.
            </p>
          )}

          {view.identical.length > 0 && (
            <section aria-labelledby="identical-heading" data-testid="identical-work">
              <h2 id="identical-heading">Identical work</h2>
              <p className="muted">
                Students who submitted the same model and training settings (after renaming layers and seeds) to one assignment. This is
                evidence to look at, not a verdict: the unchanged starter model, or a model built from the same tutorial, is identical too.
                No score changes because of it.
              </p>
              <ul>
                {view.identical.map((g) => (
                  <li key={`${g.assignmentId}-${g.group}`} data-testid="identical-group">
                    <strong>={g.group}</strong> {names.get(g.assignmentId) ?? g.assignmentId}: {g.students.map((s) => s.name).join(", ")}
                  </li>
                ))}
              </ul>
            </section>
          )}

          <section aria-labelledby="summary-heading">
            <h2 id="summary-heading">Summary</h2>
            <SummaryTable projects={view.summary.projects} columns={view.summary.columns} titles={titles} />
          </section>
        </>
      )}
    </>
  );
}
