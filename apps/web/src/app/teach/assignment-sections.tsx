"use client";

import { useState, type Dispatch, type ReactNode, type SetStateAction } from "react";
import { checkLabel } from "~/lib/check-labels";
import type { RouterOutputs } from "~/trpc/types";
import { BUDGETS, type AssignmentFormState } from "./assignment-overrides";
import { CheckboxGroup } from "./fields";
import type { ToolboxOptions } from "./toolbox-options";

export type CatalogEntry = RouterOutputs["assignment"]["catalog"][number];

/** A number field (unless `type` says otherwise) at an input path, with that path's server error beside it. */
export type FieldAt = (
  path: string,
  label: string,
  value: string,
  onChange: (v: string) => void,
  extra?: { hint?: string; type?: "number" | "text" | "datetime-local"; step?: string; placeholder?: string },
) => ReactNode;

/** What every section of the assignment form reads and writes. */
export interface SectionProps {
  state: AssignmentFormState;
  setState: Dispatch<SetStateAction<AssignmentFormState>>;
  field: FieldAt;
  /** The element id of an input path. */
  id: (path: string) => string;
  /** Server errors by input path. */
  errors: Record<string, string>;
  entry: CatalogEntry | undefined;
}

const VISIBILITIES = [
  ["always", "Always"],
  ["after_deadline", "After the deadline"],
  ["never", "Never"],
] as const;

/** A setter for one field of the form's state. */
export const setKey =
  <K extends keyof AssignmentFormState>(setState: SectionProps["setState"], key: K) =>
  (value: AssignmentFormState[K]) =>
    setState((s) => ({ ...s, [key]: value }));

export function ThresholdsSection({ state, setState, field, entry }: SectionProps) {
  return (
    <fieldset className="question">
      <legend>Thresholds</legend>
      <div className="grid-settings">
        {field("overrides.target", "Target test metric", state.target, setKey(setState, "target"), {
          step: "any",
          placeholder: entry?.target === null || entry === undefined || state.dataset ? "none" : String(entry.target),
        })}
        {field("overrides.baseline", "Dumb baseline (0–1)", state.baseline, setKey(setState, "baseline"), {
          step: "any",
          placeholder: entry?.baseline === null || entry === undefined || state.dataset ? "none" : String(entry.baseline),
        })}
      </div>
    </fieldset>
  );
}

export function BudgetsSection({ state, setState, field, entry }: SectionProps) {
  if (!entry?.budgets) return null;
  return (
    <fieldset className="question">
      <legend>Budgets</legend>
      <div className="grid-settings">
        {BUDGETS.map(([key, label]) =>
          field(
            `overrides.budgets.${key}`,
            label,
            state.budgets[key],
            (v) => setState((s) => ({ ...s, budgets: { ...s.budgets, [key]: v } })),
            {
              placeholder: String(entry.budgets?.[key] ?? ""),
            },
          ),
        )}
      </div>
    </fieldset>
  );
}

export function SeedsSection({ state, setState, field, entry }: SectionProps) {
  return (
    <fieldset className="question">
      <legend>Seeds and late submissions</legend>
      <div className="grid-settings">
        {field("overrides.seed", "Grading seed", state.seed, setKey(setState, "seed"), { placeholder: String(entry?.seed ?? "") })}
        {field("overrides.seeds", "Seeds per model (1–10)", state.seeds, setKey(setState, "seeds"), { placeholder: "1" })}
        {field("overrides.latePenalty.perDay", "Late penalty per day (0–1)", state.perDay, setKey(setState, "perDay"), {
          step: "any",
          hint: "Empty: the course's policy.",
        })}
        {field("overrides.latePenalty.maxDaysLate", "Days late accepted", state.maxDaysLate, setKey(setState, "maxDaysLate"))}
      </div>
    </fieldset>
  );
}

/** One visibility select per check the exercise grades (and any the instructor added by id). */
export function VisibilitySection({ state, setState, field, id, errors, checks }: SectionProps & { checks: string[] }) {
  const [newCheck, setNewCheck] = useState("");
  return (
    <fieldset className="question">
      <legend>Visibility of each check to students</legend>
      <div className="grid-settings grid-wide">
        {checks.map((check) => (
          <div className="stack-tight" key={check}>
            <label htmlFor={id(`overrides.visibility.${check}`)} title={check}>
              {checkLabel(check)}
            </label>
            <select
              id={id(`overrides.visibility.${check}`)}
              value={state.visibility[check] ?? ""}
              onChange={(e) => setState((s) => ({ ...s, visibility: { ...s.visibility, [check]: e.target.value } }))}
            >
              <option value="">Exercise default</option>
              {VISIBILITIES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            {errors[`overrides.visibility.${check}`] && <span className="field-error">{errors[`overrides.visibility.${check}`]}</span>}
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
  );
}

/**
 * What students may use of a list of options (a checkbox per option) and the numbers that limit it:
 * the experiments on any training step, the toolbox on step 7.
 */
function PolicySection(props: {
  section: SectionProps;
  testId: string;
  legend: string;
  /** The state key of the checked options and its input path. */
  checked: "experiments" | "techniques";
  path: string;
  group: { legend: string; options: ToolboxOptions["experiments"]; hint: string };
  numbers: Array<{
    key: "computeSeconds" | "tuningTrials" | "testEvaluations";
    path: string;
    label: string;
    placeholder: number;
    hint: string;
  }>;
}) {
  const { state, setState, field, id, errors } = props.section;
  return (
    <fieldset className="question" data-testid={props.testId}>
      <legend>{props.legend}</legend>
      <CheckboxGroup
        id={id(props.path)}
        legend={props.group.legend}
        options={props.group.options}
        checked={state[props.checked]}
        onChange={setKey(setState, props.checked)}
        hint={props.group.hint}
        error={errors[props.path]}
      />
      <div className="grid-settings">
        {props.numbers.map((n) =>
          field(n.path, n.label, state[n.key], setKey(setState, n.key), { placeholder: String(n.placeholder), hint: n.hint }),
        )}
      </div>
    </fieldset>
  );
}

export function ExperimentsSection({ options, ...section }: SectionProps & { options: ToolboxOptions }) {
  if (section.entry?.kind !== "training") return null;
  return (
    <PolicySection
      section={section}
      testId="experiments-settings"
      legend="Debugging experiments"
      checked="experiments"
      path="overrides.experiments.allowed"
      group={{
        legend: "Experiments students may run",
        options: options.experiments,
        hint: "All checked: every experiment, including ones added later. Experiments cost compute, never attempts.",
      }}
      numbers={[
        {
          key: "computeSeconds",
          path: "overrides.experiments.computeSeconds",
          label: "Compute budget per student (s)",
          placeholder: options.defaults.computeSeconds,
          hint: "Grader time each student may spend on experiments here; 0 turns them off.",
        },
      ]}
    />
  );
}

export function ToolboxSection({ options, ...section }: SectionProps & { options: ToolboxOptions }) {
  // The toolbox is step 7's (the grader refuses its techniques on other steps), so it is offered there only.
  if (section.entry?.kind !== "training" || section.entry.step !== 7) return null;
  return (
    <PolicySection
      section={section}
      testId="toolbox-settings"
      legend="Regularization toolbox"
      checked="techniques"
      path="overrides.toolbox.allowed"
      group={{
        legend: "Techniques students may use",
        options: options.techniques,
        hint: "Dropout, L1/L2, batch normalization and network size are part of the model and always allowed.",
      }}
      numbers={[
        {
          key: "tuningTrials",
          path: "overrides.toolbox.tuningTrials",
          label: "Tuning trials per search (1–50)",
          placeholder: options.defaults.tuningTrials,
          hint: "Each trial costs compute budget.",
        },
        {
          key: "testEvaluations",
          path: "overrides.toolbox.testEvaluations",
          label: "Test evaluations per student (1–50)",
          placeholder: options.defaults.testEvaluations,
          hint: "Each graded submission and each tuning search's final model is one evaluation on the hidden test set.",
        },
      ]}
    />
  );
}

export function HintsField({ state, setState, id, entry }: SectionProps) {
  return (
    <div className="stack-tight">
      <label htmlFor={id("overrides.hints")}>Hints (one per line)</label>
      <textarea
        id={id("overrides.hints")}
        rows={3}
        value={state.hints}
        onChange={(e) => setKey(setState, "hints")(e.target.value)}
        aria-describedby={`${id("overrides.hints")}-hint`}
      />
      <span id={`${id("overrides.hints")}-hint`} className="muted small">
        Empty: the exercise&apos;s own hints{entry && entry.hints.length > 0 ? ` (${entry.hints.length})` : ""}.
      </span>
    </div>
  );
}
