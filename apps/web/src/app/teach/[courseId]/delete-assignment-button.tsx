"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";

export function DeleteAssignmentButton({ assignmentId, title }: { assignmentId: string; title: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(trpc.assignment.delete.mutationOptions({ onSuccess: () => router.refresh() }));
  if (remove.error)
    return (
      <span role="alert" className="field-error">
        {remove.error.message}
      </span>
    );
  return confirming ? (
    <>
      <button
        type="button"
        onClick={() => remove.mutate({ assignmentId })}
        disabled={remove.isPending}
        aria-label={`Confirm deleting ${title}`}
      >
        {remove.isPending ? "Deleting…" : "Confirm delete"}
      </button>
      <button type="button" className="link" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </>
  ) : (
    <button type="button" className="link" onClick={() => setConfirming(true)} aria-label={`Delete ${title}`}>
      Delete
    </button>
  );
}
