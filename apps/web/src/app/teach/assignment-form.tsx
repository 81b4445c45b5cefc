"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { checkLabel } from "~/lib/check-labels";
import { useTRPC } from "~/trpc/react";
import type { RouterInputs, RouterOutputs } from "~/trpc/types";
import { DatasetPicker, takesCsv, type DatasetChoice } from "./dataset-picker";
import { CheckboxGroup, TextField } from "./fields";
import { fromUtcInput, pathErrors, utcInputValue } from "./form-errors";
import type { ToolboxOptions } from "./toolbox-options";

type CatalogEntry = RouterOutputs["teach"]["catalog"][number];
type AssignmentView = RouterOutputs["teach"]["assignment"]["assignment"];

const BUDGETS = [
  ["maxParams", "Max trainable parameters"],
  ["maxEpochs", "Max epochs"],
  ["maxBatchSize", "Max batch size"],
  ["maxSeconds", "Max estimated training time (s)"],
] as const;
type BudgetKey = (typeof BUDGETS)[number][0];
/** Error paths shown beside the experiments and toolbox fields. */
const POLICY_FIELDS = ["overrides.experiments.allowed", "overrides.experiments.computeSeconds", "overrides.toolbox.allowed", "overrides.toolbox.tuningTrials", "overrides.toolbox.testEvaluations"];
const VISIBILITIES = [
  ["always", "Always"],
  ["after_deadline", "After the deadline"],
  ["never", "Never"],
] as const;
/**
 * The override keys this form edits; any other stored key (metric) is kept as it is. `dataset` is
 * edited by the dataset picker on the table exercises only; elsewhere a stored one is kept.
 */
const MANAGED = ["target", "baseline", "budgets", "seed", "seeds", "latePenalty", "visibility", "hints", "experiments", "toolbox"];

interface State {
  title: string;
  deadline: string;
  attempts: string;
  position: string;
  target: string;
  baseline: string;
  budgets: Record<BudgetKey, string>;
  seed: string;
  seeds: string;
  perDay: string;
  maxDaysLate: string;
  visibility: Record<string, string>;
  hints: string;
  dataset: DatasetChoice | null;
  /** Checked experiments / techniques; every one checked is stored as no `allowed` key (all, including ones added later). */
  experiments: string[];
  computeSeconds: string;
  techniques: string[];
  tuningTrials: string;
  testEvaluations: string;
}

const text = (value: unknown) => (typeof value === "number" ? String(value) : "");
const num = (value: string): number | undefined => (value.trim() === "" ? undefined : Number(value));
const record = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {});

function csvChoice(value: unknown): DatasetChoice | null {
  const d = record(value);
  if (d.kind !== "csv" || typeof d.file !== "string" || typeof d.target !== "string") return null;
  return { file: d.file, target: d.target, task: d.task === "multiclass" || d.task === "regression" ? d.task : "binary" };
}

/** The stored `allowed` list, or every option when there is none. */
function allowedOf(value: unknown, options: ToolboxOptions["experiments"]): string[] {
  const names = options.map((o) => o.name);
  return Array.isArray(value) ? names.filter((n) => value.includes(n)) : names;
}

function initialState(assignment: AssignmentView | null, defaultAttempts: number, options: ToolboxOptions): State {
  const o = assignment?.overrides ?? {};
  const budgets = record(o.budgets);
  const late = record(o.latePenalty);
  const experiments = record(o.experiments);
  const toolbox = record(o.toolbox);
  return {
    title: assignment?.title ?? "",
    deadline: utcInputValue(assignment?.deadline ?? null),
    attempts: assignment ? text(assignment.attemptsAllowed) : String(defaultAttempts),
    position: assignment ? String(assignment.position) : "",
    target: text(o.target),
    baseline: text(o.baseline),
    budgets: { maxParams: text(budgets.maxParams), maxEpochs: text(budgets.maxEpochs), maxBatchSize: text(budgets.maxBatchSize), maxSeconds: text(budgets.maxSeconds) },
    seed: text(o.seed),
    seeds: text(o.seeds),
    perDay: text(late.perDay),
    maxDaysLate: text(late.maxDaysLate),
    visibility: Object.fromEntries(Object.entries(record(o.visibility)).map(([id, v]) => [id, String(v)])),
    hints: Array.isArray(o.hints) ? o.hints.map(String).join("\n") : "",
    dataset: csvChoice(o.dataset),
    experiments: allowedOf(experiments.allowed, options.experiments),
    computeSeconds: text(experiments.computeSeconds),
    techniques: allowedOf(toolbox.allowed, options.techniques),
    tuningTrials: text(toolbox.tuningTrials),
    testEvaluations: text(toolbox.testEvaluations),
  };
}

/** `{allowed?, …numbers}` with only what the instructor changed; undefined when nothing was. */
function policyKey(allowed: string[], all: ToolboxOptions["experiments"], numbers: Record<string, number | undefined>): Record<string, unknown> | undefined {
  const entries = Object.entries(numbers).filter(([, v]) => v !== undefined);
  const key = { ...(allowed.length < all.length ? { allowed } : {}), ...Object.fromEntries(entries) };
  return Object.keys(key).length > 0 ? key : undefined;
}

/** Only what the instructor filled in is an override: an empty field keeps the exercise's default. */
function overridesOf(state: State, kept: Record<string, unknown>, options: ToolboxOptions): Record<string, unknown> {
  const budgets = Object.fromEntries(BUDGETS.flatMap(([key]) => (num(state.budgets[key]) === undefined ? [] : [[key, num(state.budgets[key])]])));
  const visibility = Object.fromEntries(Object.entries(state.visibility).filter(([, v]) => v !== ""));
  const hints = state.hints.split("\n").map((h) => h.trim()).filter(Boolean);
  const late = state.perDay.trim() !== "" || state.maxDaysLate.trim() !== "" ? { latePenalty: { perDay: num(state.perDay), maxDaysLate: num(state.maxDaysLate) } } : {};
  const entries: Array<[string, unknown]> = [
    ["target", num(state.target)],
    ["baseline", num(state.baseline)],
    ["budgets", Object.keys(budgets).length > 0 ? budgets : undefined],
    ["seed", num(state.seed)],
    ["seeds", num(state.seeds)],
    ["visibility", Object.keys(visibility).length > 0 ? visibility : undefined],
    ["hints", hints.length > 0 ? hints : undefined],
    ["experiments", policyKey(state.experiments, options.experiments, { computeSeconds: num(state.computeSeconds) })],
    ["toolbox", policyKey(state.techniques, options.techniques, { tuningTrials: num(state.tuningTrials), testEvaluations: num(state.testEvaluations) })],
  ];
  const dataset = state.dataset ? { dataset: { kind: "csv", ...state.dataset } } : {};
  return { ...kept, ...Object.fromEntries(entries.filter(([, v]) => v !== undefined)), ...late, ...dataset };
}

/** "Step 5 — Train a baseline"; catalogue titles mostly say their step already, so it is not said twice. */
export function exerciseLabel(entry: Pick<CatalogEntry, "step" | "title">): string {
  return /^step\s*\d/i.test(entry.title) ? entry.title : `Step ${entry.step} — ${entry.title}`;
}

export function AssignmentForm(
  props: { catalog: CatalogEntry[]; defaultAttempts: number; options: ToolboxOptions } & ({ mode: "create"; courseId: string } | { mode: "edit"; assignment: AssignmentView }),
) {
  const trpc = useTRPC();
  const router = useRouter();
  const existing = props.mode === "edit" ? props.assignment : null;
  const [exerciseId, setExerciseId] = useState(existing?.exerciseId ?? props.catalog.find((e) => e.kind === "training")?.id ?? props.catalog[0]?.id ?? "");
  const [state, setState] = useState<State>(() => initialState(existing, props.defaultAttempts, props.options));
  const [newCheck, setNewCheck] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const onSuccess = (message: string) => () => {
    setSaved(message);
    router.refresh();
  };
  const create = useMutation(
    trpc.teach.createAssignment.mutationOptions({
      onSuccess: (a) => {
        setState(initialState(null, props.defaultAttempts, props.options));
        onSuccess(`Added “${a.title}”.`)();
      },
    }),
  );
  const update = useMutation(trpc.teach.updateAssignment.mutationOptions({ onSuccess: onSuccess("Saved.") }));
  const mutation = props.mode === "create" ? create : update;
  const entry = props.catalog.find((e) => e.id === exerciseId);
  const { fields, general } = pathErrors(mutation.error);
  const set = <K extends keyof State>(key: K) => (value: State[K]) => setState((s) => ({ ...s, [key]: value }));
  const checks = [...new Set([...(entry?.checks ?? []), ...Object.keys(state.visibility)])];
  const id = (path: string) => `${props.mode}-${path.replace(/\./g, "-")}`;
  const field = (path: string, label: string, value: string, onChange: (v: string) => void, extra: { hint?: string; type?: "number" | "text" | "datetime-local"; step?: string; placeholder?: string } = {}) => (
    <TextField id={id(path)} label={label} value={value} onChange={onChange} error={fields[path]} type={extra.type ?? "number"} {...extra} />
  );
  const shown = new Set(["overrides.dataset", "overrides.dataset.file", "overrides.dataset.target", "overrides.dataset.task", "title", "deadline", "attemptsAllowed", "position", "exerciseId", "overrides.target", "overrides.baseline", "overrides.seed", "overrides.seeds", "overrides.latePenalty.perDay", "overrides.latePenalty.maxDaysLate", ...BUDGETS.map(([k]) => `overrides.budgets.${k}`), ...checks.map((c) => `overrides.visibility.${c}`), ...POLICY_FIELDS]);
  const otherErrors = [general, ...Object.entries(fields).filter(([path]) => !shown.has(path)).map(([path, message]) => `${path}: ${message}`)].filter(Boolean).join("\n");

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(null);
    // A stored non-CSV dataset (an IMDB vocabulary, say) is kept; a CSV one is the picker's.
    const picksDataset = takesCsv(entry) && (existing?.overrides.dataset === undefined || csvChoice(existing.overrides.dataset) !== null);
    const kept = Object.fromEntries(Object.entries(existing?.overrides ?? {}).filter(([key]) => !MANAGED.includes(key) && !(picksDataset && key === "dataset")));
    const common = {
      title: state.title,
      overrides: overridesOf(state, kept, props.options) as RouterInputs["teach"]["createAssignment"]["overrides"],
      deadline: fromUtcInput(state.deadline),
      attemptsAllowed: num(state.attempts) ?? null,
      ...(state.position.trim() !== "" ? { position: Number(state.position) } : {}),
    };
    if (props.mode === "create") create.mutate({ courseId: props.courseId, exerciseId, ...common });
    else update.mutate({ assignmentId: props.assignment.id, ...common });
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label={props.mode === "create" ? "Add an assignment" : "Assignment settings"}>
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
          Exercise: <strong>{existing?.exerciseTitle}</strong> (<code>{existing?.exerciseId}</code>). The exercise of an assignment never changes: students submitted to it.
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
        {field("position", "Position", state.position, set("position"), { hint: props.mode === "create" ? "Empty: after the last." : "1–99" })}
      </div>

      <fieldset className="question">
        <legend>Thresholds</legend>
        <div className="grid-settings">
          {field("overrides.target", "Target test metric", state.target, set("target"), { step: "any", placeholder: entry?.target === null || entry === undefined || state.dataset ? "none" : String(entry.target) })}
          {field("overrides.baseline", "Dumb baseline (0–1)", state.baseline, set("baseline"), { step: "any", placeholder: entry?.baseline === null || entry === undefined || state.dataset ? "none" : String(entry.baseline) })}
        </div>
      </fieldset>

      {entry?.budgets && (
        <fieldset className="question">
          <legend>Budgets</legend>
          <div className="grid-settings">
            {BUDGETS.map(([key, label]) =>
              field(`overrides.budgets.${key}`, label, state.budgets[key], (v) => setState((s) => ({ ...s, budgets: { ...s.budgets, [key]: v } })), {
                placeholder: String(entry.budgets?.[key] ?? ""),
              }),
            )}
          </div>
        </fieldset>
      )}

      <fieldset className="question">
        <legend>Seeds and late submissions</legend>
        <div className="grid-settings">
          {field("overrides.seed", "Grading seed", state.seed, set("seed"), { placeholder: String(entry?.seed ?? "") })}
          {field("overrides.seeds", "Seeds per model (1–10)", state.seeds, set("seeds"), { placeholder: "1" })}
          {field("overrides.latePenalty.perDay", "Late penalty per day (0–1)", state.perDay, set("perDay"), { step: "any", hint: "Empty: the course's policy." })}
          {field("overrides.latePenalty.maxDaysLate", "Days late accepted", state.maxDaysLate, set("maxDaysLate"))}
        </div>
      </fieldset>

      <fieldset className="question">
        <legend>Visibility of each check to students</legend>
        <div className="grid-settings grid-wide">
          {checks.map((check) => (
            <div className="stack-tight" key={check}>
              <label htmlFor={id(`overrides.visibility.${check}`)} title={check}>
                {checkLabel(check)}
              </label>
              <select id={id(`overrides.visibility.${check}`)} value={state.visibility[check] ?? ""} onChange={(e) => setState((s) => ({ ...s, visibility: { ...s.visibility, [check]: e.target.value } }))}>
                <option value="">Exercise default</option>
                {VISIBILITIES.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
              {fields[`overrides.visibility.${check}`] && <span className="field-error">{fields[`overrides.visibility.${check}`]}</span>}
            </div>
          ))}
        </div>
        <div className="inline-form" style={{ marginTop: "0.5rem" }}>
          {field("new-check", "Another check id", newCheck, setNewCheck, { type: "text" })}
          <button
            type="button"
            className="secondary"
            onClick={() => {
              const name = newCheck.trim();
              if (name) setState((s) => ({ ...s, visibility: { ...s.visibility, [name]: s.visibility[name] ?? "always" } }));
              setNewCheck("");
            }}
          >
            Add check
          </button>
        </div>
      </fieldset>

      {entry?.kind === "training" && (
        <fieldset className="question" data-testid="experiments-settings">
          <legend>Debugging experiments</legend>
          <CheckboxGroup
            id={id("overrides.experiments.allowed")}
            legend="Experiments students may run"
            options={props.options.experiments}
            checked={state.experiments}
            onChange={set("experiments")}
            hint="All checked: every experiment, including ones added later. Experiments cost compute, never attempts."
            error={fields["overrides.experiments.allowed"]}
          />
          <div className="grid-settings">
            {field("overrides.experiments.computeSeconds", "Compute budget per student (s)", state.computeSeconds, set("computeSeconds"), {
              placeholder: String(props.options.defaults.computeSeconds),
              hint: "Grader time each student may spend on experiments here; 0 turns them off.",
            })}
          </div>
        </fieldset>
      )}

      {/* The toolbox is step 7's (the grader refuses its techniques on other steps), so it is offered there only. */}
      {entry?.kind === "training" && entry.step === 7 && (
        <fieldset className="question" data-testid="toolbox-settings">
          <legend>Regularization toolbox</legend>
          <CheckboxGroup
            id={id("overrides.toolbox.allowed")}
            legend="Techniques students may use"
            options={props.options.techniques}
            checked={state.techniques}
            onChange={set("techniques")}
            hint="Dropout, L1/L2, batch normalization and network size are part of the model and always allowed."
            error={fields["overrides.toolbox.allowed"]}
          />
          <div className="grid-settings">
            {field("overrides.toolbox.tuningTrials", "Tuning trials per search (1–50)", state.tuningTrials, set("tuningTrials"), {
              placeholder: String(props.options.defaults.tuningTrials),
              hint: "Each trial costs compute budget.",
            })}
            {field("overrides.toolbox.testEvaluations", "Test evaluations per student (1–50)", state.testEvaluations, set("testEvaluations"), {
              placeholder: String(props.options.defaults.testEvaluations),
              hint: "Each graded submission and each tuning search's final model is one evaluation on the hidden test set.",
            })}
          </div>
        </fieldset>
      )}

      <div className="stack-tight">
        <label htmlFor={id("overrides.hints")}>Hints (one per line)</label>
        <textarea id={id("overrides.hints")} rows={3} value={state.hints} onChange={(e) => set("hints")(e.target.value)} aria-describedby={`${id("overrides.hints")}-hint`} />
        <span id={`${id("overrides.hints")}-hint`} className="muted small">
          Empty: the exercise&apos;s own hints{entry && entry.hints.length > 0 ? ` (${entry.hints.length})` : ""}.
        </span>
      </div>

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
