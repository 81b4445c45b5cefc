"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";

export function JoinCourseForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [code, setCode] = useState("");
  const join = useMutation(trpc.course.join.mutationOptions({ onSuccess: () => router.refresh() }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    join.mutate({ code });
  }

  return (
    <form onSubmit={onSubmit} noValidate className="stack">
      <div className="inline-form">
        <label>
          Join code
          <input
            name="code"
            required
            autoComplete="off"
            spellCheck={false}
            aria-describedby="join-hint"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </label>
        <button type="submit" disabled={join.isPending}>
          {join.isPending ? "Joining…" : "Join"}
        </button>
      </div>
      <span id="join-hint" className="muted small">
        Your instructor gives you a code like DEMO-2026.
      </span>
      <div aria-live="polite">
        {join.error && (
          <p role="alert" className="error-box">
            {join.error.message}
          </p>
        )}
        {join.data && (
          <p className="ok-box">
            {join.data.alreadyEnrolled ? "You are already enrolled in " : "You joined "}
            <Link href={`/courses/${join.data.course.id}`}>{join.data.course.title}</Link>.
          </p>
        )}
      </div>
    </form>
  );
}
