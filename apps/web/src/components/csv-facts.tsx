import type { CsvPreview } from "@stepwise/exercises/answers";
import type { PanelShows } from "./panel-shows";

export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const number = (x: number) => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : Number(x.toPrecision(4)).toString());
const TASK_TEXT = { binary: "Binary classification", multiclass: "Multiclass classification", regression: "Regression" } as const;

/**
 * The facts of a CSV as the grader uses it, all from the training rows: sizes, the model's input
 * width and encoding, the class balance or the target's range, the columns with their types and the
 * first training rows. Cells are the table's text, rendered as text. Shared by the step page and
 * the assignment form (no hooks, no server imports).
 */
/** The assignment form shows everything; a step page passes what its step may show. */
const SHOW_ALL: PanelShows = { task: true, target: true, encodedInput: true };

export function CsvFacts({
  preview,
  headingLevel = 3,
  shows = SHOW_ALL,
}: {
  preview: CsvPreview;
  headingLevel?: 3 | 4;
  shows?: PanelShows;
}) {
  return (
    <div className="stack-tight" data-testid="csv-facts">
      <dl className="metrics">
        {shows.task && (
          <div className="metric" data-testid="dataset-task">
            <dt className="label">Task</dt>
            <dd className="value" style={{ margin: 0 }}>
              {TASK_TEXT[preview.task]}
            </dd>
          </div>
        )}
        {shows.encodedInput && (
          <div className="metric">
            <dt className="label">Model input shape</dt>
            <dd className="value" style={{ margin: 0 }} data-testid="csv-input-shape">
              [{preview.inputSize}]
            </dd>
          </div>
        )}
        <div className="metric">
          <dt className="label">Training rows</dt>
          <dd className="value" style={{ margin: 0 }}>
            {preview.trainRows.toLocaleString("en-US")}
          </dd>
        </div>
        <div className="metric">
          <dt className="label">Test rows (hidden, {percent(preview.testFraction)})</dt>
          <dd className="value" style={{ margin: 0 }}>
            {preview.testRows.toLocaleString("en-US")}
          </dd>
        </div>
      </dl>
      {shows.encodedInput && (
        <p className="small">
          The grader feeds each row as {preview.inputSize} numbers: {preview.encoding}, with statistics of the training rows only.
        </p>
      )}

      <CsvTables preview={preview} headingLevel={headingLevel} showTarget={shows.target} />
    </div>
  );
}

/**
 * The tables of a CSV preview: the class balance (or the target's range), the columns with their
 * types, and the first training rows. Shared by `CsvFacts` and the course datasets page, which shows
 * its own figures above them; the test ids name each table for the browser tests. Without
 * `showTarget` (step 1 asks which column is the target) nothing singles the target out: the column
 * list's distinct values and the sample rows are the evidence.
 */
export function CsvTables({
  preview,
  headingLevel = 3,
  testIds = {},
  showTarget = true,
}: {
  preview: CsvPreview;
  headingLevel?: 3 | 4;
  testIds?: { balance?: string; targetRange?: string };
  showTarget?: boolean;
}) {
  const H = headingLevel === 3 ? "h3" : "h4";
  return (
    <>
      {!showTarget ? null : preview.classes ? (
        <table className="balance" data-testid={testIds.balance ?? "class-balance"}>
          <caption>Class balance of the training rows</caption>
          <thead>
            <tr>
              <th scope="col">
                Class of <code>{preview.target}</code>
              </th>
              <th scope="col" className="num">
                Training rows
              </th>
              <th scope="col" className="num">
                Share
              </th>
            </tr>
          </thead>
          <tbody>
            {preview.classes.map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name}</th>
                <td className="num">{c.count.toLocaleString("en-US")}</td>
                <td className="num">
                  <span className="bar" style={{ width: `${Math.round(c.share * 100 * 3)}px` }} aria-hidden="true" /> {percent(c.share)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        preview.targetSummary && (
          <p data-testid={testIds.targetRange ?? "target-range"}>
            Over the training rows, <code>{preview.target}</code> ranges from {number(preview.targetSummary.min)} to{" "}
            {number(preview.targetSummary.max)} (mean {number(preview.targetSummary.mean)}, standard deviation{" "}
            {number(preview.targetSummary.std)}).
          </p>
        )
      )}

      <H>Columns</H>
      <div style={{ overflowX: "auto" }} tabIndex={0} role="region" aria-label={`Columns of ${preview.file}`}>
        <table data-testid="csv-columns">
          <caption className="visually-hidden">Columns of {preview.file} with their types</caption>
          <thead>
            <tr>
              <th scope="col">Column</th>
              {showTarget && <th scope="col">Type</th>}
              <th scope="col" className="num">
                Distinct values
              </th>
            </tr>
          </thead>
          <tbody>
            {preview.columns.map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name}</th>
                {showTarget && <td>{c.kind}</td>}
                <td className="num">{c.distinct.toLocaleString("en-US")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <H>The first training rows</H>
      <div style={{ overflowX: "auto" }} tabIndex={0} role="region" aria-label={`The first training rows of ${preview.file}`}>
        <table data-testid="csv-sample">
          <caption className="visually-hidden">
            The first {preview.sample.length} training rows of {preview.file}
          </caption>
          <thead>
            <tr>
              {preview.columns.map((c) => (
                <th key={c.name} scope="col">
                  {c.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.sample.map((row, r) => (
              <tr key={r}>
                {row.map((cell, c) => (
                  <td key={c}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
