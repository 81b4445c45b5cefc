"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { NewPasswordFields } from "~/components/new-password-fields";
import { useTRPC } from "~/trpc/react";

/**
 * Without a token: ask for a reset link (the operator delivers it). With one: choose the new password.
 */
export function ResetPasswordForm({ token }: { token: string | null }) {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());
  const error = token ? reset.error : request.error;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (token) reset.mutate({ token, password, confirm });
    else request.mutate({ email });
  }

  if (reset.isSuccess) {
    return (
      <p role="status">
        Your password is changed and every device is signed out. <Link href="/signin">Sign in</Link>
      </p>
    );
  }
  if (request.isSuccess) return <p role="status">If an account has this address, a reset link is on its way from your course staff.</p>;
  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      {token ? (
        <NewPasswordFields password={password} confirm={confirm} onPassword={setPassword} onConfirm={setConfirm} />
      ) : (
        <label>
          Email
          <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
      )}
      {error && (
        <p role="alert" className="error-box">
          {error.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={request.isPending || reset.isPending}>
          {token ? "Set new password" : "Send reset link"}
        </button>
      </div>
    </form>
  );
}
