"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { fieldErrors } from "~/lib/field-errors";
import { useTRPC } from "~/trpc/react";

type Field = "name" | "email" | "password" | "confirm";

export function SignUpForm({ passwordMin }: { passwordMin: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [values, setValues] = useState<Record<Field, string>>({ name: "", email: "", password: "", confirm: "" });
  const signUp = useMutation(
    trpc.auth.signUp.mutationOptions({
      onSuccess: () => {
        router.push("/courses");
        router.refresh();
      },
    }),
  );
  const errors = fieldErrors(signUp.error);
  const general = signUp.error && Object.keys(errors).length === 0 ? signUp.error.message : null;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    signUp.mutate(values);
  }

  const input = (field: Field, label: string, props: { type: string; autoComplete: string; hint?: string }) => {
    const describedBy =
      [props.hint ? `${field}-hint` : null, errors[field] ? `${field}-error` : null].filter(Boolean).join(" ") || undefined;
    return (
      <div className="stack-tight">
        <label htmlFor={`signup-${field}`}>{label}</label>
        <input
          id={`signup-${field}`}
          type={props.type}
          name={field}
          autoComplete={props.autoComplete}
          required
          aria-invalid={errors[field] ? true : undefined}
          aria-describedby={describedBy}
          value={values[field]}
          onChange={(e) => setValues((v) => ({ ...v, [field]: e.target.value }))}
        />
        {props.hint && (
          <span id={`${field}-hint`} className="muted small">
            {props.hint}
          </span>
        )}
        {errors[field] && (
          <span id={`${field}-error`} className="field-error">
            {errors[field]}
          </span>
        )}
      </div>
    );
  };

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      {input("name", "Name", { type: "text", autoComplete: "name" })}
      {input("email", "Email", { type: "email", autoComplete: "email" })}
      {input("password", "Password", { type: "password", autoComplete: "new-password", hint: `At least ${passwordMin} characters.` })}
      {input("confirm", "Confirm password", { type: "password", autoComplete: "new-password" })}
      {general && (
        <p role="alert" className="error-box">
          {general}
        </p>
      )}
      {Object.keys(errors).length > 0 && (
        <p role="alert" className="visually-hidden">
          Please fix the highlighted fields.
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={signUp.isPending}>
          {signUp.isPending ? "Creating your account…" : "Create account"}
        </button>
      </div>
    </form>
  );
}
