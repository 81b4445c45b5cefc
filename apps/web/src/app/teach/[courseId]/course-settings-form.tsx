"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { FormFooter, TextField } from "../fields";
import { pathErrors } from "../form-errors";

type CourseView = RouterOutputs["course"]["overview"]["course"];

export function CourseSettingsForm({ course }: { course: CourseView }) {
  const trpc = useTRPC();
  const router = useRouter();
  const late = course.settings.latePenalty;
  const [title, setTitle] = useState(course.title);
  const [attempts, setAttempts] = useState(String(course.settings.defaultAttempts));
  const [acceptLate, setAcceptLate] = useState(late !== undefined);
  const [perDay, setPerDay] = useState(late ? String(late.perDay) : "0.1");
  const [maxDaysLate, setMaxDaysLate] = useState(late ? String(late.maxDaysLate) : "3");
  const [mode, setMode] = useState<"guided" | "independent">(course.settings.mode ?? "guided");
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.course.update.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        router.refresh();
      },
    }),
  );
  const { fields, general } = pathErrors(update.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    update.mutate({
      courseId: course.id,
      title,
      settings: {
        defaultAttempts: Number(attempts),
        mode,
        ...(acceptLate ? { latePenalty: { perDay: Number(perDay), maxDaysLate: Number(maxDaysLate) } } : {}),
      },
    });
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="Course settings">
      <TextField id="settings-title" label="Title" value={title} onChange={setTitle} error={fields.title} required />
      <TextField
        id="settings-attempts"
        label="Default attempts per assignment"
        type="number"
        value={attempts}
        onChange={setAttempts}
        error={fields["settings.defaultAttempts"]}
      />
      <fieldset className="question" data-testid="course-mode-setting">
        <legend>Order of the steps</legend>
        <label className="option">
          <input type="radio" name="mode" value="guided" checked={mode === "guided"} onChange={() => setMode("guided")} /> Guided: each step
          opens once the step before it on the same dataset passes
        </label>
        <label className="option">
          <input type="radio" name="mode" value="independent" checked={mode === "independent"} onChange={() => setMode("independent")} />{" "}
          Independent: every step is open, in any order
        </label>
      </fieldset>
      <label className="option">
        <input type="checkbox" checked={acceptLate} onChange={(e) => setAcceptLate(e.target.checked)} /> Accept late submissions (with a
        penalty)
      </label>
      {acceptLate && (
        <div className="grid-settings">
          <TextField
            id="settings-per-day"
            label="Penalty per day late (0–1)"
            type="number"
            step="any"
            value={perDay}
            onChange={setPerDay}
            error={fields["settings.latePenalty.perDay"]}
          />
          <TextField
            id="settings-max-days"
            label="Days late accepted"
            type="number"
            value={maxDaysLate}
            onChange={setMaxDaysLate}
            error={fields["settings.latePenalty.maxDaysLate"]}
          />
        </div>
      )}
      <FormFooter
        general={general}
        pending={update.isPending}
        label="Save settings"
        pendingLabel="Saving…"
        status={saved ? "Saved." : ""}
      />
    </form>
  );
}

export function ArchiveButton({ courseId, archived }: { courseId: string; archived: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const archive = useMutation(trpc.course.archive.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={archive.isPending}
        onClick={() => archive.mutate({ courseId, archived: !archived })}
      >
        {archived ? "Reopen course" : "Archive course"}
      </button>
      <span className="muted small">
        {archived ? "Archived: no new students can join." : "Archiving keeps everything but stops new students joining."}
      </span>
      {archive.error && (
        <p role="alert" className="error-box">
          {archive.error.message}
        </p>
      )}
    </>
  );
}
