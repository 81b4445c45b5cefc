"use client";

import type { Question } from "@stepwise/core/contracts";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import type { DraftView } from "./editor-draft";
import { LiveStatus } from "./live-status";
import { SubmissionHistory } from "./submission-history";
import { draftStatusText, useDraftSaver } from "./use-draft";
import { useSubmission } from "./use-submission";
import { lockedBy } from "./lock-notice";

type AssignmentView = RouterOutputs["assignment"]["byId"];
type Value = string | number | boolean;

/** The question a server message names ("… (classes) expects a number …"), to mark its control invalid. */
function namedQuestion(message: string | null, questions: readonly Question[]): string | null {
  if (!message) return null;
  return questions.find((q) => message.includes(`(${q.id})`) || message.includes(`"${q.id}"`))?.id ?? null;
}

function QuestionField({
  q,
  value,
  invalid,
  onChange,
}: {
  q: Question;
  value: Value | undefined;
  invalid: boolean;
  onChange: (v: Value | undefined) => void;
}) {
  const helpId = q.help ? `q-${q.id}-help` : undefined;
  const help = q.help && (
    <span id={helpId} className="muted small">
      {q.help}
    </span>
  );
  if (q.kind === "choice" || q.kind === "boolean") {
    const options =
      q.kind === "choice"
        ? (q.options ?? [])
        : [
            { value: "true", label: "Yes" },
            { value: "false", label: "No" },
          ];
    const current = value === undefined ? "" : String(value);
    return (
      <fieldset className="question" aria-describedby={helpId} aria-invalid={invalid || undefined} data-question={q.id}>
        <legend>{q.prompt}</legend>
        {help}
        <div className="options">
          {options.map((o) => (
            <label key={o.value} className="option">
              <input
                type="radio"
                name={q.id}
                value={o.value}
                checked={current === o.value}
                onChange={() => onChange(q.kind === "boolean" ? o.value === "true" : o.value)}
              />
              {o.label}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }
  return (
    <div className="question" data-question={q.id}>
      <label>
        {q.prompt}
        {q.kind === "number" ? (
          <input
            type="number"
            name={q.id}
            step="any"
            inputMode="decimal"
            aria-invalid={invalid || undefined}
            aria-describedby={helpId}
            value={typeof value === "number" ? String(value) : ""}
            onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
          />
        ) : (
          <textarea
            name={q.id}
            rows={3}
            maxLength={2000}
            aria-invalid={invalid || undefined}
            aria-describedby={helpId}
            value={typeof value === "string" ? value : ""}
            onChange={(e) => onChange(e.target.value)}
          />
        )}
      </label>
      {help}
    </div>
  );
}

/**
 * Steps 1–4: a form from the exercise's questions, submitted as `answers` and graded like any
 * submission. The answers are kept as the student's draft (`drafts`, null for instructors).
 */
export function AnswerForm({ initial, drafts }: { initial: AssignmentView; drafts: DraftView | null }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.assignment.byId.queryOptions({ assignmentId: initial.assignment.id }), initialData: initial });
  const { exercise, assignment, submissions, lock } = query.data;
  const [answers, setAnswers] = useState<Record<string, Value | undefined>>(() => ({ ...drafts?.draft?.content.answers }));
  const content = useMemo(() => {
    const given: Record<string, Value> = {};
    for (const [id, v] of Object.entries(answers)) if (v !== undefined) given[id] = v;
    return { answers: given };
  }, [answers]);
  const saver = useDraftSaver(initial.assignment.id, content, { enabled: drafts !== null, savedAt: drafts?.draft?.updatedAt ?? null });
  const saveStatus = drafts !== null ? draftStatusText(saver.state) : null;
  const { create, watching, error, setError } = useSubmission();

  const missing = exercise.questions.filter((q) => answers[q.id] === undefined || answers[q.id] === "");
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const first = missing[0];
    if (first) {
      setError(`Answer every question first: "${first.prompt}" has no answer yet.`);
      return;
    }
    create.mutate({ assignmentId: assignment.id, payload: { exerciseId: exercise.id, answers: content.answers } });
  }

  const invalidId = namedQuestion(error, exercise.questions) ?? (error ? (missing[0]?.id ?? null) : null);
  const latestId = watching ?? submissions[0]?.id ?? null;
  const outOfAttempts = assignment.attemptsAllowed !== null && assignment.attemptsUsed >= assignment.attemptsAllowed;

  return (
    <>
      <form className="card stack" onSubmit={onSubmit} noValidate aria-labelledby="answers-heading">
        <h2 id="answers-heading" style={{ marginTop: 0 }}>
          Your answers
        </h2>
        {exercise.questions.map((q) => (
          <QuestionField
            key={q.id}
            q={q}
            value={answers[q.id]}
            invalid={invalidId === q.id}
            onChange={(v) => setAnswers((a) => ({ ...a, [q.id]: v }))}
          />
        ))}
        {error && (
          <p className="error-box" role="alert" data-testid="answer-error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={create.isPending || outOfAttempts || lock !== null} {...lockedBy(lock)}>
            {create.isPending ? "Submitting…" : "Submit answers"}
          </button>
          <span className="muted">
            Attempts used: {assignment.attemptsUsed}
            {assignment.attemptsAllowed !== null ? ` of ${assignment.attemptsAllowed}` : ""}
          </span>
          {saveStatus && (
            <span
              className={saver.state.kind === "error" ? "error-text small" : "muted small"}
              role={saver.state.kind === "error" ? "alert" : "status"}
              data-testid="draft-status"
            >
              {saveStatus}
            </span>
          )}
        </div>
      </form>
      <section aria-labelledby="status-heading">
        <h2 id="status-heading">Latest submission</h2>
        {latestId ? <LiveStatus key={latestId} submissionId={latestId} /> : <p className="muted">Nothing submitted yet.</p>}
      </section>
      <SubmissionHistory submissions={submissions} />
    </>
  );
}
