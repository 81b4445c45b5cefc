"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { ModelWorkerClient } from "~/lib/model-worker-client";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import type { BuildResult } from "~/workers/protocol";
import { LiveStatus } from "./live-status";
import { ModelSummaryTable } from "./model-summary-table";
import { SubmissionList } from "./submission-list";
import { draftFrom, TrainingSettings, trainingFrom, type TrainingDraft } from "./training-settings";

type AssignmentView = RouterOutputs["assignment"]["byId"];

/**
 * The step page's interactive part: model code (built in a Web Worker), training settings,
 * submit, the live status of the latest submission and the list of earlier ones.
 */
export function Workbench({ initial }: { initial: AssignmentView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = useQuery({ ...trpc.assignment.byId.queryOptions({ assignmentId: initial.assignment.id }), initialData: initial });
  const { exercise, assignment, submissions } = query.data;

  const [code, setCode] = useState(exercise.starterCode ?? "");
  const [draft, setDraft] = useState<TrainingDraft>(() => draftFrom(exercise.starterTraining ?? null));
  const [built, setBuilt] = useState<{ code: string; result: BuildResult } | null>(null);
  const [building, setBuilding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [watching, setWatching] = useState<string | null>(null);
  const workerRef = useRef<ModelWorkerClient | null>(null);

  useEffect(() => () => workerRef.current?.terminate(), []);

  const create = useMutation(
    trpc.submission.create.mutationOptions({
      onSuccess: (result) => {
        setWatching(result.submissionId);
        void queryClient.invalidateQueries({ queryKey: trpc.assignment.byId.pathKey() });
      },
      onError: (e) => setError(e.message),
    }),
  );

  async function buildModel(): Promise<BuildResult | null> {
    if (built?.code === code) return built.result;
    setBuilding(true);
    setError(null);
    try {
      workerRef.current ??= new ModelWorkerClient();
      const result = await workerRef.current.build(code);
      setBuilt({ code, result });
      return result;
    } catch (e) {
      setBuilt(null);
      setError(e instanceof Error ? e.message : String(e));
      return null;
    } finally {
      setBuilding(false);
    }
  }

  async function onSubmit() {
    setError(null);
    const result = await buildModel();
    if (!result) return;
    create.mutate({
      assignmentId: assignment.id,
      payload: {
        exerciseId: exercise.id,
        model: { format: "tfjs", topology: result.topology },
        training: trainingFrom(draft, exercise.starterTraining ?? null),
      },
    });
  }

  const latestId = watching ?? submissions[0]?.id ?? null;
  const busy = building || create.isPending;
  const outOfAttempts = assignment.attemptsAllowed !== null && assignment.attemptsUsed >= assignment.attemptsAllowed;

  return (
    <>
      <div className="two-col">
        <section className="card" aria-labelledby="editor-heading">
          <h2 id="editor-heading" style={{ marginTop: 0 }}>
            Your model
          </h2>
          <label>
            Model code
            <textarea
              className="code"
              spellCheck={false}
              autoCapitalize="off"
              autoCorrect="off"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              aria-describedby="code-help"
            />
          </label>
          <p id="code-help" className="muted" style={{ fontSize: "0.9rem" }}>
            Write TensorFlow.js code that builds and <code>return</code>s a model; <code>tf</code> is in scope. It runs only in your
            browser — the grader receives the model&apos;s architecture and retrains it from scratch.
          </p>
          <h3>Training settings</h3>
          <TrainingSettings draft={draft} onChange={setDraft} maxEpochs={exercise.budgets.maxEpochs} maxBatchSize={exercise.budgets.maxBatchSize} />
          {error && (
            <p className="error-box" role="alert" data-testid="editor-error" style={{ marginTop: "0.75rem" }}>
              {error}
            </p>
          )}
          <div className="actions" style={{ marginTop: "1rem" }}>
            <button type="button" className="secondary" onClick={() => void buildModel()} disabled={busy}>
              {building ? "Building…" : "Check model"}
            </button>
            <button type="button" onClick={() => void onSubmit()} disabled={busy || outOfAttempts}>
              {create.isPending ? "Submitting…" : "Submit"}
            </button>
            <span className="muted">
              Attempts used: {assignment.attemptsUsed}
              {assignment.attemptsAllowed !== null ? ` of ${assignment.attemptsAllowed}` : ""}
            </span>
          </div>
        </section>

        <section className="card" aria-labelledby="summary-heading">
          <h2 id="summary-heading" style={{ marginTop: 0 }}>
            Model summary
          </h2>
          {built ? (
            <ModelSummaryTable result={built.result} maxParams={exercise.budgets.maxParams} />
          ) : (
            <p className="muted">Press “Check model” to build your model and see its layers and parameter count.</p>
          )}
          {built && built.code !== code && <p className="muted">The code changed since this summary; check again.</p>}
        </section>
      </div>

      <section aria-labelledby="status-heading">
        <h2 id="status-heading">Latest submission</h2>
        {latestId ? <LiveStatus key={latestId} submissionId={latestId} baseline={exercise.baseline} /> : <p className="muted">Nothing submitted yet.</p>}
      </section>

      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading" style={{ marginTop: 0 }}>
          My submissions
        </h2>
        <SubmissionList submissions={submissions} />
      </section>
    </>
  );
}
