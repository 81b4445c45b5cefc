"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterOutputs } from "~/trpc/types";
import { useTRPC } from "~/trpc/react";
import { ExperimentResultView } from "./experiment-result";

type Budget = RouterOutputs["experiment"]["list"]["budget"];

/** Polls one run until the grader has finished it (the web tier keeps no state: the database says). */
function WatchRun({ jobId }: { jobId: string }) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.experiment.byId.queryOptions({ jobId }),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "queued" || q.state.data.status === "running") ? 1_000 : false),
  });
  if (query.isError) return <p className="error-box" role="alert">{query.error.message}</p>;
  if (!query.data) return <p className="job-status" role="status">Queued for the grader…</p>;
  const epochs = query.data.epochs > 0 ? `(${query.data.epochs} epoch${query.data.epochs === 1 ? "" : "s"} so far)` : undefined;
  return <ExperimentResultView run={query.data} {...(epochs ? { progress: epochs } : {})} />;
}

/**
 * The Run button of one experiment on one submission; once queued, the run's status and result
 * replace it. Costs compute budget, never an attempt.
 */
export function RunExperiment({ submissionId, experiment, title, onQueued }: { submissionId: string; experiment: string; title: string; onQueued?: (budget: Budget) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useMutation(
    trpc.experiment.run.mutationOptions({
      onSuccess: (queued) => {
        setJobId(queued.jobId);
        onQueued?.(queued.budget);
        void queryClient.invalidateQueries({ queryKey: trpc.experiment.pathKey() });
      },
      onError: (e) => setError(e.message),
    }),
  );
  const start = () => {
    setError(null);
    // The input is typed as an experiment name; the server parses it again.
    run.mutate({ submissionId, experiment: experiment as Parameters<typeof run.mutate>[0]["experiment"] });
  };
  return (
    <div className="stack-tight">
      {jobId ? (
        <WatchRun jobId={jobId} />
      ) : (
        <div className="actions">
          <button type="button" onClick={start} disabled={run.isPending} aria-label={`Run ${title}`}>
            {run.isPending ? "Starting…" : "Run"}
          </button>
        </div>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
