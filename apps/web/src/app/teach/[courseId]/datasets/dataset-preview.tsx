"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";

type Task = "binary" | "multiclass" | "regression";
const TASKS: { value: Task; label: string }[] = [
  { value: "binary", label: "Binary classification (two classes)" },
  { value: "multiclass", label: "Multiclass classification" },
  { value: "regression", label: "Regression (a number)" },
];

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const number = (x: number) => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : Number(x.toPrecision(4)).toString());

interface Choice {
  file: string;
  target: string;
  task: Task;
}

/**
 * Choose a dataset, its target column and the task type, and see what the grader will make of it:
 * column types, the class balance (or the target's range), the input width a model must take and a
 * few training rows. The hidden test rows are counted, never shown.
 */
export function DatasetPreview({ courseId, datasets }: { courseId: string; datasets: { file: string; columns: string[] }[] }) {
  const trpc = useTRPC();
  const [file, setFile] = useState(datasets[0]?.file ?? "");
  const columns = datasets.find((d) => d.file === file)?.columns ?? [];
  const [target, setTarget] = useState(columns.at(-1) ?? "");
  const [task, setTask] = useState<Task>("binary");
  const [choice, setChoice] = useState<Choice | null>(null);
  const preview = useQuery({ ...trpc.courseDataset.preview.queryOptions({ courseId, ...(choice ?? { file: "", target: "", task: "binary" }) }, { enabled: choice !== null }), retry: false });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setChoice({ file, target, task });
  }

  const data = preview.data;
  return (
    <>
      <form onSubmit={onSubmit} className="stack-tight">
        <label>
          Dataset
          <select
            name="file"
            value={file}
            onChange={(e) => {
              setFile(e.target.value);
              setTarget(datasets.find((d) => d.file === e.target.value)?.columns.at(-1) ?? "");
            }}
          >
            {datasets.map((d) => (
              <option key={d.file} value={d.file}>
                {d.file}
              </option>
            ))}
          </select>
        </label>
        <label>
          Target column (what the models predict)
          <select name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
            {columns.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="source-choice">
          <legend>Task type</legend>
          {TASKS.map((t) => (
            <label key={t.value} className="option">
              <input type="radio" name="task" value={t.value} checked={task === t.value} onChange={() => setTask(t.value)} />
              {t.label}
            </label>
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit">Show the facts</button>
        </div>
      </form>

      <div aria-live="polite" data-testid="dataset-facts">
        {preview.isFetching && <p className="muted">Reading the table…</p>}
        {preview.error && (
          <p role="alert" className="error-box">
            {preview.error.message}
          </p>
        )}
        {data && !preview.isFetching && (
          <div className="stack-tight">
            <h3>
              <code>{data.target}</code> in <code>{data.file}</code>
            </h3>
            <div className="metrics">
              <div className="metric">
                <div className="label">Rows</div>
                <div className="value">{data.rows.toLocaleString("en-US")}</div>
              </div>
              <div className="metric">
                <div className="label">Training rows (students&apos; models)</div>
                <div className="value">{data.trainRows.toLocaleString("en-US")}</div>
              </div>
              <div className="metric">
                <div className="label">Hidden test rows ({percent(data.testFraction)})</div>
                <div className="value">{data.testRows.toLocaleString("en-US")}</div>
              </div>
              <div className="metric">
                <div className="label">Model input width</div>
                <div className="value">{data.inputSize}</div>
              </div>
            </div>
            <p className="small">Each row becomes {data.inputSize} numbers: {data.encoding}.</p>

            {data.classes ? (
              <table className="balance" data-testid="preview-balance">
                <caption>Class balance of the training rows</caption>
                <thead>
                  <tr>
                    <th scope="col">Class</th>
                    <th scope="col" className="num">
                      Training rows
                    </th>
                    <th scope="col" className="num">
                      Share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.classes.map((c) => (
                    <tr key={c.name}>
                      <th scope="row">{c.name}</th>
                      <td className="num">{c.count.toLocaleString("en-US")}</td>
                      <td className="num">{percent(c.share)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              data.targetSummary && (
                <p data-testid="preview-target">
                  Over the training rows, <code>{data.target}</code> ranges from {number(data.targetSummary.min)} to {number(data.targetSummary.max)} (mean{" "}
                  {number(data.targetSummary.mean)}, standard deviation {number(data.targetSummary.std)}).
                </p>
              )
            )}

            <table>
              <caption>Columns</caption>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Type</th>
                  <th scope="col" className="num">
                    Distinct values
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.columns.map((c) => (
                  <tr key={c.name}>
                    <th scope="row">{c.name}</th>
                    <td>{c.kind}</td>
                    <td className="num">{c.distinct.toLocaleString("en-US")}</td>
                  </tr>
                ))}
              </tbody>
            </table>

            <table>
              <caption>The first training rows</caption>
              <thead>
                <tr>
                  {data.columns.map((c) => (
                    <th key={c.name} scope="col">
                      {c.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.sample.map((row, r) => (
                  <tr key={r}>
                    {row.map((cell, c) => (
                      <td key={c}>{cell}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </>
  );
}
