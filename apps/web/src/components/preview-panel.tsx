"use client";

import type { TrainingConfig } from "@stepwise/core/contracts";
import { useState } from "react";
import { formatNumber } from "~/lib/format";
import type { ModelWorkerClient } from "~/lib/model-worker-client";
import type { PreviewEpochMetrics, TrainResult } from "~/workers/protocol";
import { LearningCurves } from "./learning-curves";

/** A finished preview, keyed by what it trained, so a claim is only sent for the model it describes. */
export interface PreviewOutcome {
  code: string;
  trainingKey: string;
  result: TrainResult;
  valAccuracy: number | null;
}

/** An error in the target's unit (euros, say): whole numbers once they are large. */
const amount = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString("en-US") : formatNumber(x));

export const trainingKey = (training: TrainingConfig): string => JSON.stringify(training);

/**
 * Trains the student's model in the browser (Web Worker) on the training subset the app serves,
 * with live curves and a Stop button. Nothing here is graded: the grader retrains from scratch.
 */
export function PreviewPanel(props: {
  worker: () => ModelWorkerClient;
  code: string;
  training: () => TrainingConfig | string;
  dataUrl: string;
  baseline: number | null;
  disabled: boolean;
  onFinished: (outcome: PreviewOutcome | null) => void;
}) {
  const [history, setHistory] = useState<PreviewEpochMetrics[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<TrainResult | null>(null);

  async function start() {
    const training = props.training();
    if (typeof training === "string") {
      setError(training);
      return;
    }
    setHistory([]);
    setResult(null);
    setError(null);
    setRunning(true);
    props.onFinished(null);
    const code = props.code;
    try {
      const done = await props
        .worker()
        .train({ code, training, dataUrl: props.dataUrl }, { onEpoch: (m) => setHistory((h) => [...h, m]), onStatus: setStatus });
      setResult(done);
      setStatus(null);
      const last = done.history[done.history.length - 1];
      props.onFinished(
        done.stopped ? null : { code, trainingKey: trainingKey(training), result: done, valAccuracy: last?.valAccuracy ?? null },
      );
    } catch (e) {
      setStatus(null);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setRunning(false);
    }
  }

  const last = history[history.length - 1];
  return (
    <section className="card" aria-labelledby="preview-heading">
      <h2 id="preview-heading" style={{ marginTop: 0 }}>
        Preview training in your browser
      </h2>
      <p className="muted small" style={{ marginTop: 0 }}>
        Trains your model here on a subset of the training data, to see whether it learns before you spend an attempt. On a classification
        task the validation accuracy of a finished preview is sent with your submission and shown beside the grader&apos;s, as a preview (it
        is not graded). On a regression task the preview reports the mean absolute error instead.
      </p>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void start()} disabled={running || props.disabled}>
          {running ? "Training…" : "Train preview"}
        </button>
        <button type="button" className="secondary" onClick={() => props.worker().stop()} disabled={!running}>
          Stop
        </button>
      </div>
      <p role="status" aria-live="polite" data-testid="preview-status" className="muted">
        {status ??
          (result
            ? `${result.stopped ? "Stopped" : "Finished"} after ${result.history.length} epoch${result.history.length === 1 ? "" : "s"} on ${result.examples.toLocaleString("en-US")} examples (${result.backend}).` +
              (last?.valAccuracy !== undefined ? ` Validation accuracy ${formatNumber(last.valAccuracy)}.` : "") +
              (last?.valMae !== undefined
                ? ` Validation mean absolute error ${amount(last.valMae)} (in the target's unit).`
                : last?.mae !== undefined
                  ? ` Training mean absolute error ${amount(last.mae)} (in the target's unit).`
                  : "")
            : running && last
              ? `Epoch ${last.epoch}: loss ${formatNumber(last.loss)}` +
                (last.valMae !== undefined ? `, validation MAE ${amount(last.valMae)}` : "")
              : "")}
      </p>
      {error && (
        <p className="error-box" role="alert" data-testid="preview-error">
          {error}
        </p>
      )}
      {history.length > 0 && <LearningCurves history={history} baseline={props.baseline} />}
    </section>
  );
}
