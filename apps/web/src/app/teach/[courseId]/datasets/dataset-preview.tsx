"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { CsvTables, percent } from "~/components/csv-facts";
import { useTRPC } from "~/trpc/react";

type Task = "binary" | "multiclass" | "regression";
const TASKS: { value: Task; label: string }[] = [
  { value: "binary", label: "Binary classification (two classes)" },
  { value: "multiclass", label: "Multiclass classification" },
  { value: "regression", label: "Regression (a number)" },
];

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
  const preview = useQuery({
    ...trpc.courseDataset.preview.queryOptions(
      { courseId, ...(choice ?? { file: "", target: "", task: "binary" }) },
      { enabled: choice !== null },
    ),
    retry: false,
  });

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
            <p className="small">
              Each row becomes {data.inputSize} numbers: {data.encoding}.
            </p>

            <CsvTables preview={data} headingLevel={4} testIds={{ balance: "preview-balance", targetRange: "preview-target" }} />
          </div>
        )}
      </div>
    </>
  );
}
