"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";
import { pathErrors } from "./form-errors";
import { FormFooter, TextField } from "./fields";

export function CreateCourseForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [title, setTitle] = useState("");
  const [attempts, setAttempts] = useState("10");
  const create = useMutation(trpc.course.create.mutationOptions({ onSuccess: (course) => router.push(`/teach/${course.id}`) }));
  const { fields, general } = pathErrors(create.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ title, settings: { defaultAttempts: Number(attempts) } });
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <TextField id="course-title" label="Course title" value={title} onChange={setTitle} error={fields.title} required />
      <TextField
        id="course-attempts"
        label="Default attempts per assignment"
        type="number"
        value={attempts}
        onChange={setAttempts}
        error={fields["settings.defaultAttempts"]}
        hint="Each assignment may set its own."
      />
      <FormFooter general={general} pending={create.isPending} label="Create course" pendingLabel="Creating…" />
    </form>
  );
}
