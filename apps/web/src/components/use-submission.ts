"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";

/**
 * Submitting to an assignment: the `submission.create` mutation, the submission then watched live
 * (the assignment's own view refreshes to count it), and the error to show beside the form.
 */
export function useSubmission() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [watching, setWatching] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(
    trpc.submission.create.mutationOptions({
      onSuccess: (result) => {
        setWatching(result.submissionId);
        void queryClient.invalidateQueries({ queryKey: trpc.assignment.byId.pathKey() });
      },
      onError: (e) => setError(e.message),
    }),
  );
  return { create, watching, error, setError };
}
