"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { NewPasswordFields } from "~/components/new-password-fields";
import { formatDate } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

/** Change the password (every other session is signed out), and see and end sessions on other devices. */
export function AccountForms() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [currentPassword, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.pathKey() });
  const change = useMutation(trpc.auth.changePassword.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.auth.revokeSession.mutationOptions({ onSuccess: refresh }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    change.mutate({ currentPassword, password, confirm });
  }

  return (
    <>
      <h2>Change password</h2>
      <form className="stack" onSubmit={onSubmit} noValidate>
        <label>
          Current password
          <input type="password" autoComplete="current-password" value={currentPassword} onChange={(e) => setCurrent(e.target.value)} />
        </label>
        <NewPasswordFields password={password} confirm={confirm} onPassword={setPassword} onConfirm={setConfirm} />
        {change.error && (
          <p role="alert" className="error-box">
            {change.error.message}
          </p>
        )}
        {change.isSuccess && <p role="status">Password changed; every other device is signed out.</p>}
        <div className="actions">
          <button type="submit" disabled={change.isPending}>
            Change password
          </button>
        </div>
      </form>

      <h2>Signed-in devices</h2>
      {revoke.error && (
        <p role="alert" className="error-box">
          {revoke.error.message}
        </p>
      )}
      <ul data-testid="sessions">
        {(sessions.data ?? []).map((s) => (
          <li key={s.id}>
            {s.userAgent ?? "Unknown device"}
            {s.ipAddress ? ` · ${s.ipAddress}` : ""} · since {formatDate(s.createdAt)}
            {s.current ? (
              " (this device)"
            ) : (
              <>
                {" "}
                <button type="button" className="secondary" onClick={() => revoke.mutate({ sessionId: s.id })} disabled={revoke.isPending}>
                  Sign out
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
