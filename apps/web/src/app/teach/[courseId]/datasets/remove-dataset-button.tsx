"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";

/** Removes a dataset after a confirmation; the server refuses while an assignment uses it and says which. */
export function RemoveDatasetButton({ courseId, file, inUse }: { courseId: string; file: string; inUse: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation(trpc.courseDataset.remove.mutationOptions({ onSuccess: () => router.refresh() }));
  if (remove.error) {
    return (
      <span role="alert" className="field-error">
        {remove.error.message}
      </span>
    );
  }
  if (!confirming) {
    return (
      <button
        type="button"
        className="link"
        onClick={() => setConfirming(true)}
        aria-label={`Remove ${file}`}
        title={inUse ? "Assignments use this dataset" : undefined}
      >
        Remove
      </button>
    );
  }
  return (
    <>
      <button
        type="button"
        onClick={() => remove.mutate({ courseId, file })}
        disabled={remove.isPending}
        aria-label={`Confirm removing ${file}`}
      >
        {remove.isPending ? "Removing…" : "Confirm remove"}
      </button>{" "}
      <button type="button" className="link" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </>
  );
}
