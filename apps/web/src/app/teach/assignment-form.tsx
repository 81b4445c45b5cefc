"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";
import type { RouterInputs } from "~/trpc/types";
import {
  assignmentInput,
  csvChoice,
  formOf,
  keptOverrides,
  shownErrorPaths,
  type AssignmentFormState,
  type AssignmentView,
} from "./assignment-overrides";
import {
  BudgetsSection,
  ExperimentsSection,
  HintsField,
  SeedsSection,
  ThresholdsSection,
  ToolboxSection,
  VisibilitySection,
  setKey,
  type CatalogEntry,
  type FieldAt,
  type SectionProps,
} from "./assignment-sections";
import { DatasetPicker, takesCsv } from "./dataset-picker";
import { TextField } from "./fields";
import { pathErrors } from "./form-errors";
import type { ToolboxOptions } from "./toolbox-options";

/** "Step 5 — Train a baseline"; catalogue titles mostly say their step already, so it is not said twice. */
export function exerciseLabel(entry: Pick<CatalogEntry, "step" | "title">): string {
  return /^step\s*\d/i.test(entry.title) ? entry.title : `Step ${entry.step} — ${entry.title}`;
}

export function AssignmentForm(
  props: { catalog: CatalogEntry[]; defaultAttempts: number; options: ToolboxOptions } & (
    | { mode: "create"; courseId: string }
    | { mode: "edit"; assignment: AssignmentView }
  ),
) {
  const trpc = useTRPC();
  const router = useRouter();
  const existing = props.mode === "edit" ? props.assignment : null;
  const [exerciseId, setExerciseId] = useState(
    existing?.exerciseId ?? props.catalog.find((e) => e.kind === "training")?.id ?? props.catalog[0]?.id ?? "",
  );
  const [state, setState] = useState<AssignmentFormState>(() => formOf(existing, props.defaultAttempts, props.options));
  const [saved, setSaved] = useState<string | null>(null);
  const onSuccess = (message: string) => () => {
    setSaved(message);
    router.refresh();
  };
  const create = useMutation(
    trpc.assignment.create.mutationOptions({
      onSuccess: (a) => {
        setState(formOf(null, props.defaultAttempts, props.options));
        onSuccess(`Added “${a.title}”.`)();
      },
    }),
  );
  const update = useMutation(trpc.assignment.update.mutationOptions({ onSuccess: onSuccess("Saved.") }));
  const mutation = props.mode === "create" ? create : update;
  const entry = props.catalog.find((e) => e.id === exerciseId);
  const { fields, general } = pathErrors(mutation.error);
  const set = <K extends keyof AssignmentFormState>(key: K) => setKey(setState, key);
  const checks = [...new Set([...(entry?.checks ?? []), ...Object.keys(state.visibility)])];
  const id = (path: string) => `${props.mode}-${path.replace(/\./g, "-")}`;
  // Keyed by path: sections map arrays of fields (budgets, policy numbers) through this helper.
  const field: FieldAt = (path, label, value, onChange, extra = {}) => (
    <TextField
      key={path}
      id={id(path)}
      label={label}
      value={value}
      onChange={onChange}
      error={fields[path]}
      type={extra.type ?? "number"}
      {...extra}
    />
  );
  const shown = shownErrorPaths(checks);
  const otherErrors = [
    general,
    ...Object.entries(fields)
      .filter(([path]) => !shown.has(path))
      .map(([path, message]) => `${path}: ${message}`),
  ]
    .filter(Boolean)
    .join("\n");

  const section: SectionProps = { state, setState, field, id, errors: fields, entry };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(null);
    // A stored non-CSV dataset (an IMDB vocabulary, say) is kept; a CSV one is the picker's.
    const picksDataset = takesCsv(entry) && (existing?.overrides.dataset === undefined || csvChoice(existing.overrides.dataset) !== null);
    const input = assignmentInput(state, keptOverrides(existing?.overrides ?? {}, picksDataset), props.options);
    const common = { ...input, overrides: input.overrides as RouterInputs["assignment"]["create"]["overrides"] };
    if (props.mode === "create") create.mutate({ courseId: props.courseId, exerciseId, ...common });
    else update.mutate({ assignmentId: props.assignment.id, ...common });
  }

  return (
    <form
      className="stack"
      onSubmit={onSubmit}
      noValidate
      aria-label={props.mode === "create" ? "Add an assignment" : "Assignment settings"}
    >
      {props.mode === "create" ? (
        <div className="stack-tight">
          <label htmlFor={id("exerciseId")}>Exercise</label>
          <select
            id={id("exerciseId")}
            value={exerciseId}
            onChange={(e) => {
              setExerciseId(e.target.value);
              // An uploaded table fits only the table exercises.
              if (!takesCsv(props.catalog.find((c) => c.id === e.target.value))) setState((s) => ({ ...s, dataset: null }));
            }}
          >
            {props.catalog.map((e) => (
              <option key={e.id} value={e.id}>
                {exerciseLabel(e)}
              </option>
            ))}
          </select>
          {fields.exerciseId && <span className="field-error">{fields.exerciseId}</span>}
        </div>
      ) : (
        <p className="muted">
          Exercise: <strong>{existing?.exerciseTitle}</strong> (<code>{existing?.exerciseId}</code>). The exercise of an assignment never
          changes: students submitted to it.
        </p>
      )}
      <DatasetPicker
        courseId={props.mode === "create" ? props.courseId : props.assignment.courseId}
        entry={entry}
        value={state.dataset}
        onChange={set("dataset")}
        errors={fields}
        id={id}
      />
      <div className="grid-settings grid-wide">
        {field("title", "Title", state.title, set("title"), { type: "text", hint: "Empty: the exercise's title." })}
        {field("deadline", "Deadline (UTC)", state.deadline, set("deadline"), { type: "datetime-local", hint: "Empty: no deadline." })}
      </div>
      <div className="grid-settings">
        {field("attemptsAllowed", "Attempts", state.attempts, set("attempts"), { hint: "Empty: unlimited." })}
        {field("position", "Position", state.position, set("position"), {
          hint: props.mode === "create" ? "Empty: after the last." : "1–99",
        })}
      </div>

      <ThresholdsSection {...section} />
      <BudgetsSection {...section} />
      <SeedsSection {...section} />
      <VisibilitySection {...section} checks={checks} />
      <ExperimentsSection {...section} options={props.options} />
      <ToolboxSection {...section} options={props.options} />
      <HintsField {...section} />

      {otherErrors && (
        <p role="alert" className="error-box">
          {otherErrors}
        </p>
      )}
      {Object.keys(fields).length > 0 && (
        <p role="alert" className="visually-hidden">
          Please fix the highlighted fields.
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? "Saving…" : props.mode === "create" ? "Add assignment" : "Save assignment"}
        </button>
        <span aria-live="polite" className="muted">
          {saved}
        </span>
      </div>
    </form>
  );
}
