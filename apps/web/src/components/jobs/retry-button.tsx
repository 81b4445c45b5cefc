"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "~/trpc/react";

/** Requeues one dead-lettered job, then re-renders the list from the server. */
export function RetryButton({ jobId, label }: { jobId: string; label: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const retry = useMutation(trpc.jobs.retry.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="stack-tight">
      <button
        type="button"
        className="secondary"
        aria-label={label}
        disabled={retry.isPending || retry.isSuccess}
        onClick={() => retry.mutate({ jobId })}
      >
        {retry.isPending ? "Retrying…" : retry.isSuccess ? "Queued" : "Retry"}
      </button>
      <span aria-live="polite">
        {retry.error && (
          <span role="alert" className="field-error">
            {retry.error.message}
          </span>
        )}
      </span>
    </div>
  );
}
