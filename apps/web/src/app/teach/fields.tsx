"use client";

import type { ReactNode } from "react";

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
  const describedBy = [props.hint ? `${props.id}-hint` : null, props.error ? `${props.id}-error` : null].filter(Boolean).join(" ") || undefined;
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
    </div>
  );
}
