"use client";

import type { SubmissionPayload } from "@stepwise/core/contracts";
import { useState } from "react";

/** The model as submitted: the code as written when the submission kept it, else its topology JSON, pretty-printed. */
export function modelText(payload: Pick<SubmissionPayload, "code" | "model">): { kind: "code" | "json"; text: string } | null {
  if (payload.code !== undefined) return { kind: "code", text: payload.code };
  if (!payload.model) return null;
  const { topology } = payload.model;
  let value: unknown = topology;
  if (typeof topology === "string") {
    try {
      value = JSON.parse(topology);
    } catch {
      return { kind: "json", text: topology };
    }
  }
  return { kind: "json", text: JSON.stringify(value, null, 2) };
}

/** A submission's model, scrollable and copyable, with its training settings in full. */
export function SubmittedModel({ payload }: { payload: SubmissionPayload }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const model = modelText(payload);
  const training = payload.training;
  if (!model && !training) return null;
  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }
  return (
    <section className="card" aria-labelledby="submitted-model-heading">
      <h2 id="submitted-model-heading" style={{ marginTop: 0 }}>
        Submitted model
      </h2>
      {model && (
        <>
          <div className="actions" style={{ justifyContent: "space-between" }}>
            <span className="muted small">
              {model.kind === "code"
                ? "The code as you wrote it."
                : `The model's ${payload.model?.format === "keras" ? "Keras" : "TF.js"} topology JSON (the code was not kept with this submission).`}
            </span>
            <span className="actions">
              {copied && (
                <span className="muted small" role="status">
                  {copied === "yes" ? "Copied" : "Copying failed: select the text instead"}
                </span>
              )}
              <button type="button" className="secondary" onClick={() => void copy(model.text)}>
                Copy
              </button>
            </span>
          </div>
          <pre
            className="model-source"
            tabIndex={0}
            role="region"
            aria-label={model.kind === "code" ? "Model code" : "Model topology JSON"}
            data-testid="submitted-model"
          >
            {model.text}
          </pre>
        </>
      )}
      {training && (
        <>
          <h3>Training settings</h3>
          <dl className="settings-list" data-testid="submitted-training">
            <dt>Optimizer</dt>
            <dd>{training.compile.optimizer}</dd>
            <dt>Learning rate</dt>
            <dd>{training.compile.learningRate}</dd>
            <dt>Loss</dt>
            <dd>{training.compile.loss}</dd>
            <dt>Epochs</dt>
            <dd>{training.fit.epochs}</dd>
            <dt>Batch size</dt>
            <dd>{training.fit.batchSize}</dd>
            <dt>Validation</dt>
            <dd>
              {training.validation?.kind === "kfold"
                ? `K-fold, K = ${training.validation.folds}`
                : `${Math.round((training.fit.validationSplit ?? 0) * 100)}% of the training data`}
            </dd>
            {training.fit.augmentation && (
              <>
                <dt>Augmentation</dt>
                <dd>
                  shift {training.fit.augmentation.shift} px, rotation {training.fit.augmentation.rotation}°, zoom{" "}
                  {training.fit.augmentation.zoom}
                </dd>
              </>
            )}
            {training.fit.earlyStopping && (
              <>
                <dt>Early stopping</dt>
                <dd>
                  patience {training.fit.earlyStopping.patience} epochs
                  {training.fit.earlyStopping.restoreBestWeights ? ", best weights restored" : ""}
                </dd>
              </>
            )}
          </dl>
        </>
      )}
    </section>
  );
}
