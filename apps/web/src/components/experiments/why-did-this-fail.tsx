"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { RouterOutputs } from "~/trpc/types";
import { useTRPC } from "~/trpc/react";
import { BudgetMeter } from "./budget";
import { LastRun, RunExperiment } from "./run-experiment";

type Suggestions = RouterOutputs["experiment"]["suggestions"];

/**
 * "Why did this fail?" under a verdict: the experiments of the debugging checklist that fit its
 * diagnostics, each with a Run button, the latest run of each on this submission, and the budget.
 */
export function WhyDidThisFail({ submissionId, initial }: { submissionId: string; initial?: Suggestions }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.experiment.suggestions.queryOptions({ submissionId }), ...(initial ? { initialData: initial } : {}) });
  // Answer steps have no model to examine.
  if (!query.data?.applicable) return null;
  const view = query.data;
  return (
    <section className="card" aria-labelledby="why-heading" data-testid="why-did-this-fail">
      <h2 id="why-heading" style={{ marginTop: 0 }}>
        Why did this fail?
      </h2>
      {view.suggestions.length === 0 ? (
        <p className="muted">
          No experiment fits this verdict: nothing trained that an experiment could examine, or the assignment allows none of those that
          would. All experiments are on the <Link href={view.debuggingHref}>Debugging page</Link>.
        </p>
      ) : (
        <>
          <p className="muted" style={{ marginTop: 0 }}>
            Experiments from the debugging checklist run on your model with the grader&apos;s training data and answer with a sentence and a
            chart.
          </p>
          <BudgetMeter budget={view.budget} />
          <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
            {view.suggestions.map((s) => {
              const last = view.runs.find((r) => r.experiment === s.experiment);
              return (
                <li key={s.experiment} className="card" style={{ marginBottom: 0 }} data-testid={`suggestion-${s.experiment}`}>
                  <h3 style={{ marginTop: 0 }}>{s.title}</h3>
                  <p style={{ marginTop: 0 }}>
                    {s.question} <span className="muted">Suggested because {s.reasons.join("; ")}.</span>
                  </p>
                  {view.canRun ? (
                    <RunExperiment submissionId={view.submissionId} experiment={s.experiment} title={s.title} last={last ?? null} />
                  ) : (
                    last && <LastRun run={last} />
                  )}
                </li>
              );
            })}
          </ul>
          <p style={{ marginBottom: 0 }}>
            <Link href={view.debuggingHref}>All experiments and their results on the Debugging page →</Link>
          </p>
        </>
      )}
    </section>
  );
}
