"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { formatDate } from "~/lib/format";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { TextField } from "../fields";
import { pathErrors } from "../form-errors";

type Member = RouterOutputs["course"]["members"]["instructors"][number];
type Invitation = RouterOutputs["invitation"]["pending"][number];

/**
 * The course's instructors, and co-teaching by invitation: an invited address teaches nothing until
 * its owner, signed in, accepts the link; pending invitations are listed here and can be revoked.
 */
export function Instructors({
  courseId,
  instructors,
  pending,
  me,
}: {
  courseId: string;
  instructors: Member[];
  pending: Invitation[];
  me: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [email, setEmail] = useState("");
  const add = useMutation(
    trpc.invitation.create.mutationOptions({
      onSuccess: () => {
        setEmail("");
        router.refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.invitation.revoke.mutationOptions({ onSuccess: () => router.refresh() }));
  const remove = useMutation(
    trpc.course.removeInstructor.mutationOptions({
      // Removing oneself ends one's access to the course.
      onSuccess: (_data, input) => (input.userId === me ? router.push("/teach") : router.refresh()),
    }),
  );
  const { fields, general } = pathErrors(add.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate({ courseId, email });
  }

  return (
    <div className="stack">
      <ul className="checks" aria-label="Instructors of this course">
        {instructors.map((m) => (
          <li key={m.userId} className="actions" data-testid="instructor-row">
            <span>
              {m.name} · {m.email}
              {m.userId === me && <span className="muted"> (you)</span>}
            </span>
            {instructors.length > 1 && (
              <button
                type="button"
                className="link"
                disabled={remove.isPending}
                onClick={() => remove.mutate({ courseId, userId: m.userId })}
                aria-label={`Remove ${m.email}`}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {remove.error && (
        <p role="alert" className="error-box">
          {remove.error.message}
        </p>
      )}
      {pending.length > 0 && (
        <>
          <h3 id="pending-invitations">Pending invitations</h3>
          <ul className="checks" aria-labelledby="pending-invitations">
            {pending.map((i) => (
              <li key={i.id} className="actions" data-testid="invitation-row">
                <span>
                  {i.email}{" "}
                  <span className="muted small">
                    · invited by {i.invitedBy} · expires {formatDate(i.expiresAt)}
                  </span>
                </span>
                <button
                  type="button"
                  className="link"
                  disabled={revoke.isPending}
                  onClick={() => revoke.mutate({ courseId, invitationId: i.id })}
                  aria-label={`Revoke the invitation of ${i.email}`}
                >
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {revoke.error && (
        <p role="alert" className="error-box">
          {revoke.error.message}
        </p>
      )}
      <form className="inline-form" onSubmit={onSubmit} noValidate aria-label="Invite a co-instructor">
        <TextField
          id="co-instructor-email"
          label="Invite a co-instructor by e-mail"
          type="email"
          value={email}
          onChange={setEmail}
          error={fields.email}
          hint="They teach this course once they accept the link, signed in with this address and an instructor account."
        />
        <button type="submit" disabled={add.isPending}>
          {add.isPending ? "Inviting…" : "Invite"}
        </button>
      </form>
      {add.data && (
        <p role="status" data-testid="invitation-link">
          Send {add.data.invitation.email} this link (it works once, until {formatDate(add.data.invitation.expiresAt)}):{" "}
          <code>{typeof window === "undefined" ? add.data.link : new URL(add.data.link, window.location.origin).toString()}</code>
        </p>
      )}
      {general && (
        <p role="alert" className="error-box">
          {general}
        </p>
      )}
    </div>
  );
}
