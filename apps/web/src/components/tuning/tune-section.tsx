"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { BudgetMeter } from "~/components/experiments/budget";
import { formatDate } from "~/lib/format";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { TuningRun, WatchTuning } from "./run-view";
import { SearchForm } from "./search-form";

type TuningList = RouterOutputs["tuning"]["list"];
type Started = RouterOutputs["tuning"]["start"];

/**
 * The Tune section of a step-7 page: declare a search, watch it run trial by trial, read every trial
 * in a table and a chart and the one test score of the configuration validation selected. Earlier
 * searches stay below, folded.
 */
export function TuneSection({ initial }: { initial: TuningList }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.tuning.list.queryOptions({ assignmentId: initial.assignment.id }), initialData: initial });
  const view = query.data;
  const [started, setStarted] = useState<Started | null>(null);
  const current = started?.jobId ?? view.runs[0]?.jobId ?? null;
  const latest = view.runs.find((r) => r.jobId === current);
  const earlier = view.runs.filter((r) => r.jobId !== current);
  const { used, limit } = view.testEvaluations;
  return (
    <section className="card stack" id="tune" aria-labelledby="tune-heading" data-testid="tune">
      <h2 id="tune-heading" style={{ margin: 0 }}>
        Tune
      </h2>
      <p style={{ margin: 0 }}>
        A search trains variations of your model — learning rate, units, hidden layers, dropout — on the training split and compares them on
        the <strong>validation split only</strong>: the test set plays no part in choosing. The configuration validation selects is then
        retrained on train+validation and evaluated <strong>once</strong> on the hidden test set, which uses one of your test evaluations.
      </p>
      <BudgetMeter budget={view.budget} />
      <p style={{ margin: 0 }} data-testid="tuning-test-evaluations">
        Test evaluations used on this assignment: <strong>{used}</strong> of {limit}
        {used >= limit ? " — a new search still selects on validation, but its final test evaluation will not run." : "."}{" "}
        <span className="muted small">Graded submissions of this step and tuning searches share them.</span>
      </p>
      {view.unavailable ? (
        <p className="note" style={{ margin: 0 }}>
          {view.unavailable}
        </p>
      ) : view.latestSubmission ? (
        <>
          <p className="muted small" style={{ margin: 0 }}>
            The search varies the model of your latest submission, of {formatDate(view.latestSubmission.createdAt)}.
          </p>
          <SearchForm view={view} onStarted={setStarted} />
          {started && (
            <p className="muted small" style={{ margin: 0 }}>
              {started.trials} trial{started.trials === 1 ? "" : "s"} queued: estimated {started.estimateSeconds.toFixed(0)} s of grader
              time; {started.budget.leftSeconds.toFixed(0)} s of your budget left after it.
            </p>
          )}
        </>
      ) : (
        <p className="muted" style={{ margin: 0 }}>
          Submit a model on this step first: a search varies the model of your latest submission.
        </p>
      )}
      {current && (
        <div className="stack" data-testid="tuning-latest">
          <h3 style={{ margin: 0 }}>Latest search</h3>
          {latest ? <TuningRun key={latest.jobId} run={latest} /> : <WatchTuning key={current} jobId={current} />}
        </div>
      )}
      {earlier.length > 0 && (
        <details>
          <summary>Earlier searches ({earlier.length})</summary>
          <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
            {earlier.map((run) => (
              <li key={run.jobId} className="stack-tight">
                <span className="muted small">Started {formatDate(run.createdAt)}</span>
                <TuningRun run={run} />
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
