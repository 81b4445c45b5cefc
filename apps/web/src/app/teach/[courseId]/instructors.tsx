"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { TextField } from "../fields";
import { pathErrors } from "../form-errors";

type Member = RouterOutputs["teach"]["members"]["instructors"][number];

export function Instructors({ courseId, instructors, me }: { courseId: string; instructors: Member[]; me: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [email, setEmail] = useState("");
  const add = useMutation(
    trpc.teach.addInstructor.mutationOptions({
      onSuccess: () => {
        setEmail("");
        router.refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.teach.removeInstructor.mutationOptions({
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
              <button type="button" className="link" disabled={remove.isPending} onClick={() => remove.mutate({ courseId, userId: m.userId })} aria-label={`Remove ${m.email}`}>
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
      <form className="inline-form" onSubmit={onSubmit} noValidate aria-label="Add a co-instructor">
        <TextField id="co-instructor-email" label="Add a co-instructor by e-mail" type="email" value={email} onChange={setEmail} error={fields.email} hint="They need an instructor account." />
        <button type="submit" disabled={add.isPending}>
          {add.isPending ? "Adding…" : "Add instructor"}
        </button>
      </form>
      {general && (
        <p role="alert" className="error-box">
          {general}
        </p>
      )}
    </div>
  );
}
