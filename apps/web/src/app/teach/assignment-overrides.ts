/**
 * The assignment form's state and the assignment it stands for, both ways: a stored assignment
 * becomes the fields an instructor edits, and the fields become the overrides and settings sent to
 * `assignment.create` / `assignment.update`. Pure, so the mapping is tested without a browser.
 */
import type { RouterOutputs } from "~/trpc/types";
import type { DatasetChoice } from "./dataset-picker";
import { fromUtcInput, utcInputValue } from "./form-errors";
import type { ToolboxOptions } from "./toolbox-options";

export type AssignmentView = RouterOutputs["assignment"]["overview"]["assignment"];

export const BUDGETS = [
  ["maxParams", "Max trainable parameters"],
  ["maxEpochs", "Max epochs"],
  ["maxBatchSize", "Max batch size"],
  ["maxSeconds", "Max estimated training time (s)"],
] as const;
export type BudgetKey = (typeof BUDGETS)[number][0];

/** Error paths shown beside the experiments and toolbox fields. */
const POLICY_FIELDS = [
  "overrides.experiments.allowed",
  "overrides.experiments.computeSeconds",
  "overrides.toolbox.allowed",
  "overrides.toolbox.tuningTrials",
  "overrides.toolbox.testEvaluations",
];

/**
 * The override keys this form edits; any other stored key (metric) is kept as it is. `dataset` is
 * edited by the dataset picker on the table exercises only; elsewhere a stored one is kept.
 */
const MANAGED = ["target", "baseline", "budgets", "seed", "seeds", "latePenalty", "visibility", "hints", "experiments", "toolbox"];

/** Every field as typed (strings: an empty one means "the exercise's default"). */
export interface AssignmentFormState {
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
export const num = (value: string): number | undefined => (value.trim() === "" ? undefined : Number(value));
const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};

/** A stored CSV dataset override as the picker's choice; null for none or another kind of dataset. */
export function csvChoice(value: unknown): DatasetChoice | null {
  const d = record(value);
  if (d.kind !== "csv" || typeof d.file !== "string" || typeof d.target !== "string") return null;
  return { file: d.file, target: d.target, task: d.task === "multiclass" || d.task === "regression" ? d.task : "binary" };
}

/** The stored `allowed` list, or every option when there is none. */
function allowedOf(value: unknown, options: ToolboxOptions["experiments"]): string[] {
  const names = options.map((o) => o.name);
  return Array.isArray(value) ? names.filter((n) => value.includes(n)) : names;
}

/** The fields for `assignment`, or a new assignment's (empty but for the course's default attempts). */
export function formOf(
  assignment: Pick<AssignmentView, "title" | "deadline" | "attemptsAllowed" | "position" | "overrides"> | null,
  defaultAttempts: number,
  options: ToolboxOptions,
): AssignmentFormState {
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
    budgets: {
      maxParams: text(budgets.maxParams),
      maxEpochs: text(budgets.maxEpochs),
      maxBatchSize: text(budgets.maxBatchSize),
      maxSeconds: text(budgets.maxSeconds),
    },
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
function policyKey(
  allowed: string[],
  all: ToolboxOptions["experiments"],
  numbers: Record<string, number | undefined>,
): Record<string, unknown> | undefined {
  const entries = Object.entries(numbers).filter(([, v]) => v !== undefined);
  const key = { ...(allowed.length < all.length ? { allowed } : {}), ...Object.fromEntries(entries) };
  return Object.keys(key).length > 0 ? key : undefined;
}

/**
 * The stored overrides this form does not edit, kept as they are; `picksDataset`: the dataset
 * picker owns `dataset` (a table exercise whose stored dataset, if any, is a CSV one).
 */
export function keptOverrides(stored: Record<string, unknown>, picksDataset: boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stored).filter(([key]) => !MANAGED.includes(key) && !(picksDataset && key === "dataset")));
}

/** Only what the instructor filled in is an override: an empty field keeps the exercise's default. */
export function overridesOf(state: AssignmentFormState, kept: Record<string, unknown>, options: ToolboxOptions): Record<string, unknown> {
  const budgets = Object.fromEntries(
    BUDGETS.flatMap(([key]) => (num(state.budgets[key]) === undefined ? [] : [[key, num(state.budgets[key])]])),
  );
  const visibility = Object.fromEntries(Object.entries(state.visibility).filter(([, v]) => v !== ""));
  const hints = state.hints
    .split("\n")
    .map((h) => h.trim())
    .filter(Boolean);
  const late =
    state.perDay.trim() !== "" || state.maxDaysLate.trim() !== ""
      ? { latePenalty: { perDay: num(state.perDay), maxDaysLate: num(state.maxDaysLate) } }
      : {};
  const entries: Array<[string, unknown]> = [
    ["target", num(state.target)],
    ["baseline", num(state.baseline)],
    ["budgets", Object.keys(budgets).length > 0 ? budgets : undefined],
    ["seed", num(state.seed)],
    ["seeds", num(state.seeds)],
    ["visibility", Object.keys(visibility).length > 0 ? visibility : undefined],
    ["hints", hints.length > 0 ? hints : undefined],
    ["experiments", policyKey(state.experiments, options.experiments, { computeSeconds: num(state.computeSeconds) })],
    [
      "toolbox",
      policyKey(state.techniques, options.techniques, {
        tuningTrials: num(state.tuningTrials),
        testEvaluations: num(state.testEvaluations),
      }),
    ],
  ];
  const dataset = state.dataset ? { dataset: { kind: "csv", ...state.dataset } } : {};
  return { ...kept, ...Object.fromEntries(entries.filter(([, v]) => v !== undefined)), ...late, ...dataset };
}

/** What a create and an update send alike: the settings and the overrides (`kept` plus the fields'). */
export function assignmentInput(state: AssignmentFormState, kept: Record<string, unknown>, options: ToolboxOptions) {
  return {
    title: state.title,
    overrides: overridesOf(state, kept, options),
    deadline: fromUtcInput(state.deadline),
    attemptsAllowed: num(state.attempts) ?? null,
    ...(state.position.trim() !== "" ? { position: Number(state.position) } : {}),
  };
}

/** Input paths the form shows an error beside; a server error on any other path is listed under the form. */
export function shownErrorPaths(checks: readonly string[]): Set<string> {
  return new Set([
    "overrides.dataset",
    "overrides.dataset.file",
    "overrides.dataset.target",
    "overrides.dataset.task",
    "title",
    "deadline",
    "attemptsAllowed",
    "position",
    "exerciseId",
    "overrides.target",
    "overrides.baseline",
    "overrides.seed",
    "overrides.seeds",
    "overrides.latePenalty.perDay",
    "overrides.latePenalty.maxDaysLate",
    ...BUDGETS.map(([k]) => `overrides.budgets.${k}`),
    ...checks.map((c) => `overrides.visibility.${c}`),
    ...POLICY_FIELDS,
  ]);
}
