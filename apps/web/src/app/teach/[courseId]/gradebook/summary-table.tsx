import type { ColumnSummary, ProjectSummary, Summary } from "~/server/services/gradebook-summary";
import { formatElapsed } from "~/components/jobs/jobs-view";

const percent = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100)} %`);
const number = (x: number | null) => (x === null ? "—" : String(Math.round(x * 10) / 10));
const time = (ms: number | null) => (ms === null ? "—" : formatElapsed(ms));

/** Ten bars, 0–9 … 90–100 points; named by its counts, since a picture alone says nothing to a screen reader. */
function Histogram({ bins, title }: { bins: number[]; title: string }) {
  const max = Math.max(1, ...bins);
  const label = `Scores of ${title}: ${bins.map((n, i) => `${i * 10}–${i === bins.length - 1 ? 100 : i * 10 + 9}: ${n}`).join(", ")}`;
  return (
    <svg className="gb-hist" width={bins.length * 7} height={24} role="img" aria-label={label} data-testid="histogram">
      {bins.map((n, i) => (
        <rect key={i} x={i * 7} y={24 - (n / max) * 24} width={6} height={(n / max) * 24} />
      ))}
    </svg>
  );
}

function Cells({ summary }: { summary: Summary }) {
  return (
    <>
      <td className="num" data-testid="pass-rate">
        {percent(summary.passRate)}
        <span className="small muted"> ({summary.passed})</span>
      </td>
      <td className="num" data-testid="median-attempts">
        {number(summary.medianAttempts)}
      </td>
      <td className="num" data-testid="median-time">
        {time(summary.medianTimeToPassMs)}
      </td>
    </>
  );
}

/**
 * How the class did, per project (all its shown steps passed) and per step: pass rate, median
 * attempts, median time from first submission to first pass, and each step's score histogram.
 */
export function SummaryTable({
  projects,
  columns,
  titles,
}: {
  projects: ProjectSummary[];
  columns: ColumnSummary[];
  titles: Map<string, { title: string; project: string | null }>;
}) {
  const ungrouped = columns.filter((c) => (titles.get(c.assignmentId)?.project ?? null) === null);
  const section = (project: ProjectSummary | null, list: ColumnSummary[]) => (
    <tbody key={project?.project ?? "other"}>
      {project && (
        <tr className="gb-summary-project" data-testid="summary-project">
          <th scope="row">{project.label} (all shown steps)</th>
          <Cells summary={project} />
          <td />
        </tr>
      )}
      {list.map((c) => {
        const title = titles.get(c.assignmentId)?.title ?? c.assignmentId;
        return (
          <tr key={c.assignmentId} data-testid="summary-step">
            <th scope="row" style={{ fontWeight: 400 }}>
              {title}
            </th>
            <Cells summary={c} />
            <td>
              <Histogram bins={c.histogram} title={title} />
            </td>
          </tr>
        );
      })}
    </tbody>
  );
  return (
    // Focusable: a box that scrolls must be reachable by keyboard, and this table has no links of its own.
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Summary per project and step">
      <table className="gb-summary" data-testid="gradebook-summary">
        <caption className="visually-hidden">Summary per project and step, over the students shown</caption>
        <thead>
          <tr>
            <th scope="col">Project / step</th>
            <th scope="col" className="num">
              Pass rate (passed)
            </th>
            <th scope="col" className="num">
              Median attempts
            </th>
            <th scope="col" className="num">
              Median time to pass
            </th>
            <th scope="col">Scores 0–100</th>
          </tr>
        </thead>
        {projects.map((p) =>
          section(
            p,
            columns.filter((c) => p.assignmentIds.includes(c.assignmentId)),
          ),
        )}
        {ungrouped.length > 0 && section(null, ungrouped)}
      </table>
    </div>
  );
}
