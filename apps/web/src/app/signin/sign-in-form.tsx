"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";

/**
 * `next`: a same-origin path (already checked) to go to afterwards. `onSignedIn` replaces the
 * navigation, for the dialog that signs in again without leaving the page.
 */
export function SignInForm({ next = null, onSignedIn }: { next?: string | null; onSignedIn?: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: () => {
        if (onSignedIn) return onSignedIn();
        router.push(next ?? "/courses");
        router.refresh();
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    signIn.mutate({ email, password });
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-describedby={signIn.error ? "signin-error" : undefined}>
      <label>
        Email
        <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password
        <input
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {signIn.error && (
        <p id="signin-error" role="alert" className="error-box">
          {signIn.error.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
      </div>
    </form>
  );
}
