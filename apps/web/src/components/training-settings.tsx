"use client";

import { LossName, OptimizerName, type TrainingConfig } from "@stepwise/core/contracts";

export interface TrainingDraft {
  optimizer: string;
  learningRate: string;
  loss: string;
  epochs: string;
  batchSize: string;
}

export function draftFrom(config: TrainingConfig | null): TrainingDraft {
  return {
    optimizer: config?.compile.optimizer ?? "adam",
    learningRate: String(config?.compile.learningRate ?? 0.001),
    loss: config?.compile.loss ?? "categoricalCrossentropy",
    epochs: String(config?.fit.epochs ?? 3),
    batchSize: String(config?.fit.batchSize ?? 128),
  };
}

/** The draft as the `training` part of a submission; the server validates it again with the shared schema. */
export function trainingFrom(draft: TrainingDraft, base: TrainingConfig | null): TrainingConfig {
  return {
    compile: {
      // The selects only offer valid names; numbers are checked by the shared schema on the server.
      optimizer: OptimizerName.parse(draft.optimizer),
      learningRate: Number(draft.learningRate),
      loss: LossName.parse(draft.loss),
      metrics: base?.compile.metrics ?? ["accuracy"],
    },
    fit: {
      epochs: Number(draft.epochs),
      batchSize: Number(draft.batchSize),
      validationSplit: base?.fit.validationSplit ?? 0.2,
      shuffle: base?.fit.shuffle ?? true,
    },
  };
}

export function TrainingSettings({
  draft,
  onChange,
  maxEpochs,
  maxBatchSize,
}: {
  draft: TrainingDraft;
  onChange: (next: TrainingDraft) => void;
  maxEpochs: number;
  maxBatchSize: number;
}) {
  const set = (key: keyof TrainingDraft) => (event: { target: { value: string } }) => onChange({ ...draft, [key]: event.target.value });
  return (
    <fieldset className="grid-settings" style={{ border: "none", padding: 0, margin: 0 }}>
      <legend className="visually-hidden">Training settings</legend>
      <label>
        Optimizer
        <select value={draft.optimizer} onChange={set("optimizer")}>
          {OptimizerName.options.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Learning rate
        <input type="number" inputMode="decimal" step="any" min="0" max="10" value={draft.learningRate} onChange={set("learningRate")} />
      </label>
      <label>
        Loss
        <select value={draft.loss} onChange={set("loss")}>
          {LossName.options.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Epochs
        <input type="number" min="1" max={maxEpochs} step="1" value={draft.epochs} onChange={set("epochs")} />
      </label>
      <label>
        Batch size
        <input type="number" min="1" max={maxBatchSize} step="1" value={draft.batchSize} onChange={set("batchSize")} />
      </label>
    </fieldset>
  );
}
