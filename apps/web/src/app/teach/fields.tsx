"use client";

import type { ReactNode } from "react";

/** The ids of a field's hint and error, as its `aria-describedby`; none when it has neither. */
function describedByOf(props: { id: string; hint?: string | undefined; error?: string | undefined }): string | undefined {
  return [props.hint ? `${props.id}-hint` : null, props.error ? `${props.id}-error` : null].filter(Boolean).join(" ") || undefined;
}

/** A field's hint and error, under the ids `describedByOf` names. */
function FieldNotes(props: { id: string; hint?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {props.hint && (
        <span id={`${props.id}-hint`} className="muted small">
          {props.hint}
        </span>
      )}
      {props.error && (
        <span id={`${props.id}-error`} className="field-error">
          {props.error}
        </span>
      )}
    </>
  );
}

/** A labelled input with its hint and error wired for screen readers (`aria-describedby`, `aria-invalid`). */
export function TextField(props: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  type?: "text" | "number" | "email" | "datetime-local";
  required?: boolean;
  step?: string;
  placeholder?: string;
}) {
  const describedBy = describedByOf(props);
  return (
    // Top-aligned: in a settings grid, a neighbour's hint must not stretch this input.
    <div className="stack-tight" style={{ alignContent: "start" }}>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? "text"}
        step={props.step}
        required={props.required}
        placeholder={props.placeholder}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <FieldNotes id={props.id} hint={props.hint} error={props.error} />
    </div>
  );
}

/**
 * A fieldset of checkboxes choosing a subset of `options`; the legend names the group for screen
 * readers, and the hint and error are wired to it like a text field's.
 */
export function CheckboxGroup(props: {
  id: string;
  legend: ReactNode;
  options: ReadonlyArray<{ name: string; title: string }>;
  checked: readonly string[];
  onChange: (checked: string[]) => void;
  hint?: string;
  error?: string | undefined;
}) {
  const describedBy = describedByOf(props);
  const toggle = (name: string, on: boolean) =>
    // In the options' order, whatever order they were clicked in.
    props.onChange(props.options.map((o) => o.name).filter((n) => (n === name ? on : props.checked.includes(n))));
  return (
    <fieldset className="stack-tight" id={props.id} aria-describedby={describedBy}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.name} className="option">
          <input
            type="checkbox"
            name={props.id}
            value={o.name}
            checked={props.checked.includes(o.name)}
            onChange={(e) => toggle(o.name, e.target.checked)}
          />{" "}
          {o.title} <code className="small">{o.name}</code>
        </label>
      ))}
      <FieldNotes id={props.id} hint={props.hint} error={props.error} />
    </fieldset>
  );
}

/**
 * A form's last lines: its general error (what no field owns), the submit button (its own label while
 * pending) and, when given, a polite status line — present from the start so screen readers announce changes.
 */
export function FormFooter(props: { general: string | null; pending: boolean; label: string; pendingLabel: string; status?: string }) {
  return (
    <>
      {props.general && (
        <p role="alert" className="error-box">
          {props.general}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={props.pending}>
          {props.pending ? props.pendingLabel : props.label}
        </button>
        {props.status !== undefined && (
          <span aria-live="polite" className="muted">
            {props.status}
          </span>
        )}
      </div>
    </>
  );
}
