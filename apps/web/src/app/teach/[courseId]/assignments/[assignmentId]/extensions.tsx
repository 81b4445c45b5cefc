"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { formatDate } from "~/lib/format";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { TextField } from "../../../fields";
import { fromUtcInput, pathErrors } from "../../../form-errors";

type View = RouterOutputs["assignment"]["overview"];

export function Extensions({
  assignmentId,
  extensions,
  students,
}: {
  assignmentId: string;
  extensions: View["extensions"];
  students: View["students"];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [userId, setUserId] = useState(students[0]?.userId ?? "");
  const [deadline, setDeadline] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const set = useMutation(
    trpc.assignment.setExtension.mutationOptions({
      onSuccess: () => {
        setDeadline("");
        router.refresh();
      },
    }),
  );
  const clear = useMutation(trpc.assignment.clearExtension.mutationOptions({ onSuccess: () => router.refresh() }));
  const { fields, general } = pathErrors(set.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const ms = fromUtcInput(deadline);
    if (ms === null) {
      setLocalError("Enter the student's new deadline (date and time, UTC).");
      return;
    }
    setLocalError(null);
    set.mutate({ assignmentId, userId, deadline: ms });
  }

  return (
    <div className="stack">
      {extensions.length === 0 ? (
        <p className="muted">No student has an extension.</p>
      ) : (
        <table aria-label="Extensions">
          <thead>
            <tr>
              <th scope="col">Student</th>
              <th scope="col">Own deadline</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {extensions.map((e) => (
              <tr key={e.userId} data-testid="extension-row">
                <td>
                  {e.name} · {e.email}
                </td>
                <td>{formatDate(e.deadline)}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    disabled={clear.isPending}
                    onClick={() => clear.mutate({ assignmentId, userId: e.userId })}
                    aria-label={`Remove the extension of ${e.email}`}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {students.length === 0 ? (
        <p className="muted">Extensions are for the course&apos;s students; none has joined yet.</p>
      ) : (
        <form className="inline-form" onSubmit={onSubmit} noValidate aria-label="Give a student an extension">
          <div className="stack-tight">
            <label htmlFor="extension-student">Student</label>
            <select id="extension-student" value={userId} onChange={(e) => setUserId(e.target.value)}>
              {students.map((s) => (
                <option key={s.userId} value={s.userId}>
                  {s.name} ({s.email})
                </option>
              ))}
            </select>
          </div>
          <TextField
            id="extension-deadline"
            label="New deadline (UTC)"
            type="datetime-local"
            value={deadline}
            onChange={setDeadline}
            error={localError ?? fields.deadline}
          />
          <button type="submit" disabled={set.isPending}>
            {set.isPending ? "Saving…" : "Set extension"}
          </button>
        </form>
      )}
      {(general ?? clear.error) && (
        <p role="alert" className="error-box">
          {general ?? clear.error?.message}
        </p>
      )}
    </div>
  );
}
