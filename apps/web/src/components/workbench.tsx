"use client";

import type { ModelSpec, SubmissionPayload } from "@stepwise/core/contracts";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { formatDate, formatNumber } from "~/lib/format";
import { ModelWorkerClient } from "~/lib/model-worker-client";
import { useTRPC, useTRPCClient } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import type { BuildResult } from "~/workers/protocol";
import { CodeEditor } from "./code-editor";
import { DraftBar } from "./draft-bar";
import { contentOf, editorFromModel, initialEditor, starterEditor, type DraftView, type EditorState } from "./editor-draft";
import { LiveStatus } from "./live-status";
import { ModelFileInput } from "./model-file-input";
import { ModelSummaryTable } from "./model-summary-table";
import { PreviewPanel, trainingKey, type PreviewOutcome } from "./preview-panel";
import { SubmissionHistory } from "./submission-history";
import { toolboxFields, TrainingSettings, trainingFrom, type TrainingDraft } from "./training-settings";
import { useDraftSaver } from "./use-draft";
import { useSubmission } from "./use-submission";
import { lockedBy } from "./lock-notice";

type AssignmentView = RouterOutputs["assignment"]["byId"];

/**
 * The step page's interactive part: model code (CodeMirror, built in a Web Worker) or an uploaded
 * model file, training settings, a browser preview, submit, the live status of the latest submission
 * and the earlier ones. The editor opens on the student's draft (`drafts`, null for instructors, who
 * have none) and keeps it on the server as they type.
 */
export function Workbench({ initial, drafts }: { initial: AssignmentView; drafts: DraftView | null }) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.assignment.byId.queryOptions({ assignmentId: initial.assignment.id }), initialData: initial });
  const { exercise, assignment, submissions, lock } = query.data;

  const [editor, setEditor] = useState<EditorState>(() => initialEditor(exercise, drafts));
  const { source, code, uploaded, training: draft } = editor;
  const edit = (patch: Partial<EditorState>) => setEditor((e) => ({ ...e, ...patch }));
  const setSource = (next: "code" | "file") => edit({ source: next });
  const setCode = (next: string) => edit({ code: next });
  const setUploaded = (next: ModelSpec | null) => edit({ uploaded: next });
  const setDraft = (next: TrainingDraft) => edit({ training: next });
  const content = useMemo(() => contentOf(editor), [editor]);
  const saver = useDraftSaver(initial.assignment.id, content, { enabled: drafts !== null, savedAt: drafts?.draft?.updatedAt ?? null });
  const client = useTRPCClient();
  const [built, setBuilt] = useState<{ code: string; result: BuildResult } | null>(null);
  const [building, setBuilding] = useState(false);
  const [preview, setPreview] = useState<PreviewOutcome | null>(null);
  const { create, watching, error, setError } = useSubmission();
  // Step 7: the last evaluation on the hidden test set is spent only after the student confirms.
  const [confirmingLast, setConfirmingLast] = useState(false);
  const workerRef = useRef<ModelWorkerClient | null>(null);
  const worker = () => (workerRef.current ??= new ModelWorkerClient());

  useEffect(() => () => workerRef.current?.terminate(), []);

  /** Puts a past submission's model and settings in the editor; it becomes the draft at once. */
  async function loadSubmission(submissionId: string) {
    setError(null);
    try {
      const { submission } = await client.submission.byId.query({ submissionId });
      const payload = submission.payload;
      saver.saveNextAtOnce();
      setEditor(
        editorFromModel(
          { code: payload.code ?? null, model: payload.model ?? null, training: payload.training ?? null },
          exercise,
          `Loaded from your submission of ${formatDate(submission.createdAt)}.`,
        ),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  function resetToStarter() {
    saver.saveNextAtOnce();
    setEditor(starterEditor(exercise));
  }

  async function buildModel(): Promise<BuildResult | null> {
    if (built?.code === code) return built.result;
    setBuilding(true);
    setError(null);
    try {
      const result = await worker().build(code);
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

  // Step 7's toolbox fields (augmentation, early stopping), as far as the data and the assignment allow them.
  const toolbox = toolboxFields(exercise, assignment.techniques);
  const training = () => trainingFrom(draft, exercise.starterTraining ?? null, toolbox);
  // The claim describes one model and one set of settings: changing either drops it.
  const currentKey = (() => {
    try {
      return trainingKey(training());
    } catch {
      return null;
    }
  })();
  const claim =
    source === "code" && preview && preview.code === code && preview.trainingKey === currentKey && preview.valAccuracy !== null
      ? preview.valAccuracy
      : null;

  async function onSubmit(confirmed = false) {
    setError(null);
    if (lastTestEvaluation && !confirmed) {
      setConfirmingLast(true);
      return;
    }
    setConfirmingLast(false);
    let model: ModelSpec;
    if (source === "file") {
      if (!uploaded) {
        setError("Choose a model JSON file first.");
        return;
      }
      model = uploaded;
    } else {
      const result = await buildModel();
      if (!result) return;
      model = { format: "tfjs", topology: result.topology };
    }
    // The code as written goes along, only to be shown back on the submission page.
    const payload: SubmissionPayload = { exerciseId: exercise.id, model, training: training(), ...(source === "code" ? { code } : {}) };
    if (claim !== null) {
      payload.claimed = {
        metric: "valAccuracy",
        value: claim,
        source: "preview",
        ...(preview ? { examples: preview.result.examples } : {}),
      };
    }
    create.mutate({ assignmentId: assignment.id, payload });
  }

  const latestId = watching ?? submissions[0]?.id ?? null;
  const busy = building || create.isPending;
  const tests = assignment.testEvaluations;
  const outOfTestEvaluations = tests !== null && tests.used >= tests.limit;
  const lastTestEvaluation = tests !== null && tests.used === tests.limit - 1;
  const outOfAttempts =
    (assignment.attemptsAllowed !== null && assignment.attemptsUsed >= assignment.attemptsAllowed) || outOfTestEvaluations;

  return (
    <>
      <div className="two-col">
        <section className="card" aria-labelledby="editor-heading">
          <h2 id="editor-heading" style={{ marginTop: 0 }}>
            Your model
          </h2>
          {drafts !== null && <DraftBar state={saver.state} origin={editor.origin} onReset={resetToStarter} />}
          <fieldset className="source-choice">
            <legend>Model source</legend>
            <label className="option">
              <input type="radio" name="model-source" checked={source === "code"} onChange={() => setSource("code")} /> Write TensorFlow.js
              code
            </label>
            <label className="option">
              <input type="radio" name="model-source" checked={source === "file"} onChange={() => setSource("file")} /> Upload a Keras or
              TF.js model JSON
            </label>
          </fieldset>
          {source === "code" ? (
            <>
              <span className="field-label" id="code-label">
                Model code
              </span>
              <CodeEditor value={code} onChange={setCode} label="Model code" describedBy="code-help" />
              <p id="code-help" className="muted" style={{ fontSize: "0.9rem" }}>
                Write TensorFlow.js code that builds and <code>return</code>s a model; <code>tf</code> is in scope. It runs only in your
                browser — the grader receives the model&apos;s architecture and retrains it from scratch. Tab moves on to the next control.
              </p>
            </>
          ) : (
            <>
              {uploaded && (
                <p className="muted small" data-testid="loaded-model">
                  A {uploaded.format === "keras" ? "Keras" : "TF.js"} model JSON is loaded; choose a file to replace it.
                </p>
              )}
              <ModelFileInput onModel={setUploaded} />
            </>
          )}
          <h3>Training settings</h3>
          <TrainingSettings
            draft={draft}
            onChange={setDraft}
            maxEpochs={exercise.budgets.maxEpochs}
            maxBatchSize={exercise.budgets.maxBatchSize}
            toolbox={toolbox}
          />
          {error && (
            <p className="error-box" role="alert" data-testid="editor-error" style={{ marginTop: "0.75rem" }}>
              {error}
            </p>
          )}
          {claim !== null && (
            <p className="muted small" data-testid="claim-note">
              Your preview&apos;s validation accuracy, {formatNumber(claim)}, will be shown beside the grader&apos;s (a preview on a subset,
              not graded).
            </p>
          )}
          <div className="actions" style={{ marginTop: "1rem" }}>
            {source === "code" && (
              <button type="button" className="secondary" onClick={() => void buildModel()} disabled={busy}>
                {building ? "Building…" : "Check model"}
              </button>
            )}
            <button
              type="button"
              onClick={() => void onSubmit()}
              disabled={busy || outOfAttempts || confirmingLast || lock !== null}
              {...lockedBy(lock)}
            >
              {create.isPending ? "Submitting…" : "Submit"}
            </button>
            <span className="muted">
              Attempts used: {assignment.attemptsUsed}
              {assignment.attemptsAllowed !== null ? ` of ${assignment.attemptsAllowed}` : ""}
            </span>
            {tests !== null && (
              <span className="muted" data-testid="test-evaluations">
                Test evaluations used: {tests.used} of {tests.limit}
              </span>
            )}
          </div>
          {tests !== null && (
            <p className="muted small" id="test-evaluations-help">
              Each graded submission here is evaluated once on the hidden test set. Choose your configuration on the validation curves
              (Debugging, Tune); the test score only confirms the one you chose.
              {outOfTestEvaluations && " You have used them all: your instructor can allow more."}
            </p>
          )}
          {confirmingLast && (
            <div
              className="note"
              role="alertdialog"
              aria-labelledby="last-evaluation-text"
              data-testid="confirm-last-evaluation"
              style={{ marginTop: "0.75rem" }}
            >
              <p id="last-evaluation-text" style={{ marginTop: 0 }}>
                This is your last evaluation on the hidden test set for this assignment. Submit this configuration as your final one?
              </p>
              <div className="actions">
                <button type="button" onClick={() => void onSubmit(true)} disabled={busy}>
                  Use my last test evaluation
                </button>
                <button type="button" className="secondary" onClick={() => setConfirmingLast(false)}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="summary-heading">
          <h2 id="summary-heading" style={{ marginTop: 0 }}>
            Model summary
          </h2>
          {source === "file" ? (
            <p className="muted">The grader checks an uploaded model&apos;s layers and budgets when you submit.</p>
          ) : built ? (
            <ModelSummaryTable result={built.result} maxParams={exercise.budgets.maxParams} />
          ) : (
            <p className="muted">Press “Check model” to build your model and see its layers and parameter count.</p>
          )}
          {source === "code" && built && built.code !== code && <p className="muted">The code changed since this summary; check again.</p>}
        </section>
      </div>

      {source === "code" && (
        <PreviewPanel
          worker={worker}
          code={code}
          training={() => {
            try {
              return training();
            } catch (e) {
              return e instanceof Error ? e.message : String(e);
            }
          }}
          dataUrl={`/api/preview-data/${encodeURIComponent(assignment.id)}`}
          baseline={exercise.baseline}
          disabled={busy}
          onFinished={setPreview}
        />
      )}

      <section aria-labelledby="status-heading">
        <h2 id="status-heading">Latest submission</h2>
        {latestId ? (
          <LiveStatus key={latestId} submissionId={latestId} baseline={exercise.baseline} />
        ) : (
          <p className="muted">Nothing submitted yet.</p>
        )}
      </section>

      <SubmissionHistory submissions={submissions} {...(drafts !== null ? { onLoad: (id: string) => void loadSubmission(id) } : {})} />
    </>
  );
}
