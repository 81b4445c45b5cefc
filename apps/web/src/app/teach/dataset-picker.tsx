"use client";

import { useQuery } from "@tanstack/react-query";
import { CsvFacts } from "~/components/csv-facts";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";

type CatalogEntry = RouterOutputs["assignment"]["catalog"][number];
export type Task = "binary" | "multiclass" | "regression";

/** An uploaded CSV chosen as the assignment's dataset (`overrides.dataset` of kind csv). */
export interface DatasetChoice {
  file: string;
  target: string;
  task: Task;
}

const TASKS: { value: Task; label: string }[] = [
  { value: "binary", label: "Binary classification (two classes)" },
  { value: "multiclass", label: "Multiclass classification" },
  { value: "regression", label: "Regression (a number)" },
];

/**
 * Whether an exercise may be placed on an uploaded CSV, as the course-folder loader decides: training
 * steps (5–7) train on any table and steps 2–3 reason about any data; steps 1 and 4 ask about their
 * own dataset (so only a table exercise may move to another table).
 */
export function takesCsv(entry: CatalogEntry | undefined): boolean {
  if (!entry) return false;
  return entry.builtInDataset.kind === "csv" || entry.kind === "training" || entry.step === 2 || entry.step === 3;
}

function builtInText(entry: CatalogEntry): string {
  const d = entry.builtInDataset;
  if (d.kind === "csv") return `the built-in table ${d.file}, predicting ${d.target} (${d.task})`;
  return d.kind === "mnist" ? "MNIST" : "IMDB";
}

/**
 * Where the assignment's data comes from: the exercise's built-in dataset, or one of the course's
 * uploaded CSVs with its target column and task. What the choice implies (metric, thresholds, the
 * facts the grader will see) is shown as it is made; the server checks it again on save.
 */
export function DatasetPicker(props: {
  courseId: string;
  entry: CatalogEntry | undefined;
  value: DatasetChoice | null;
  onChange: (value: DatasetChoice | null) => void;
  errors: Record<string, string>;
  id: (path: string) => string;
}) {
  const trpc = useTRPC();
  const { entry, value, id, errors } = props;
  const csvExercise = takesCsv(entry);
  const list = useQuery({ ...trpc.courseDataset.list.queryOptions({ courseId: props.courseId }), enabled: csvExercise });
  const datasets = list.data ?? [];
  const columns = datasets.find((d) => d.file === value?.file)?.columns ?? [];
  const preview = useQuery({
    ...trpc.courseDataset.preview.queryOptions(
      { courseId: props.courseId, file: value?.file ?? "", target: value?.target ?? "", task: value?.task ?? "binary" },
      { enabled: value !== null && value.target !== "" && columns.includes(value.target) },
    ),
    retry: false,
  });

  if (!entry) return null;
  if (!csvExercise) {
    return (
      <fieldset className="question">
        <legend>Dataset</legend>
        <p className="muted" style={{ margin: 0 }}>
          This exercise runs on {builtInText(entry)} and asks about that dataset, so it cannot be placed on a CSV uploaded to the course.
        </p>
      </fieldset>
    );
  }

  const pick = (file: string) => {
    if (file === "") return props.onChange(null);
    const cols = datasets.find((d) => d.file === file)?.columns ?? [];
    // First guess: the built-in table's target and task when the upload has that column (a copy or a
    // variant of it), else its last column; the facts below say at once if the guess does not fit.
    const own = entry.builtInDataset.kind === "csv" ? entry.builtInDataset : null;
    const target = own && cols.includes(own.target) ? own.target : (cols.at(-1) ?? "");
    props.onChange(value?.file === file ? value : { file, target, task: value?.task ?? own?.task ?? "binary" });
  };
  const fileError = errors["overrides.dataset.file"] ?? errors["overrides.dataset"];
  const known = value === null || datasets.some((d) => d.file === value.file);
  const metric =
    value === null ? null : value.task === "regression" ? "mean absolute error (MAE, in the target's unit; lower is better)" : "accuracy";

  return (
    <fieldset className="question" data-testid="dataset-picker">
      <legend>Dataset</legend>
      <div className="stack-tight">
        <label htmlFor={id("overrides.dataset.file")}>Table the models train and are graded on</label>
        <select
          id={id("overrides.dataset.file")}
          value={value?.file ?? ""}
          onChange={(e) => pick(e.target.value)}
          aria-invalid={fileError ? true : undefined}
          aria-describedby={fileError ? `${id("overrides.dataset.file")}-error` : undefined}
        >
          <option value="">The exercise&apos;s own: {builtInText(entry)}</option>
          {datasets.map((d) => (
            <option key={d.file} value={d.file}>
              {d.file} (uploaded, {d.rows.toLocaleString("en-US")} rows)
            </option>
          ))}
          {!known && value && <option value={value.file}>{value.file} (not in the course any more)</option>}
        </select>
        {fileError && (
          <span id={`${id("overrides.dataset.file")}-error`} className="field-error">
            {fileError}
          </span>
        )}
        {list.isSuccess && datasets.length === 0 && (
          <span className="muted small">
            No CSV is uploaded to this course yet; upload one under Datasets to place this exercise on it.
          </span>
        )}
      </div>

      {value && (
        <>
          <div className="grid-settings grid-wide" style={{ marginTop: "0.75rem" }}>
            <div className="stack-tight" style={{ alignContent: "start" }}>
              <label htmlFor={id("overrides.dataset.target")}>Target column (what the models predict)</label>
              <select
                id={id("overrides.dataset.target")}
                value={value.target}
                onChange={(e) => props.onChange({ ...value, target: e.target.value })}
                aria-invalid={errors["overrides.dataset.target"] ? true : undefined}
                aria-describedby={errors["overrides.dataset.target"] ? `${id("overrides.dataset.target")}-error` : undefined}
              >
                {!columns.includes(value.target) && <option value={value.target}>{value.target || "(choose a column)"}</option>}
                {columns.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
              {errors["overrides.dataset.target"] && (
                <span id={`${id("overrides.dataset.target")}-error`} className="field-error">
                  {errors["overrides.dataset.target"]}
                </span>
              )}
            </div>
            <fieldset className="source-choice task-choice" style={{ margin: 0 }}>
              <legend>Task type</legend>
              {TASKS.map((t) => (
                <label key={t.value} className="option">
                  <input
                    type="radio"
                    name={id("overrides.dataset.task")}
                    value={t.value}
                    checked={value.task === t.value}
                    onChange={() => props.onChange({ ...value, task: t.value })}
                  />
                  {t.label}
                </label>
              ))}
              {errors["overrides.dataset.task"] && <span className="field-error">{errors["overrides.dataset.task"]}</span>}
            </fieldset>
          </div>
          {entry.builtInDataset.kind !== "csv" && (
            <p className="muted">
              The exercise&apos;s description and starter code were written for {builtInText(entry)}; students see this table&apos;s columns
              and the input width their model must take next to them.
            </p>
          )}
          <p data-testid="dataset-implies">
            Graded by <strong>{metric}</strong> on a hidden 20% of the rows, fixed with the dataset. The exercise&apos;s own baseline
            {entry.baseline !== null ? ` (${entry.baseline})` : ""} and target{entry.target !== null ? ` (${entry.target})` : ""} were set
            for its built-in table and are dropped unless you set them under Thresholds; the dumb baseline is then measured on the data (the
            majority class, or always predicting the mean).
          </p>
          <div aria-live="polite">
            {preview.isFetching && <p className="muted">Reading the table…</p>}
            {preview.error && (
              <p role="alert" className="error-box">
                {preview.error.message}
              </p>
            )}
            {preview.data && !preview.isFetching && <CsvFacts preview={preview.data} headingLevel={3} />}
          </div>
        </>
      )}
    </fieldset>
  );
}
