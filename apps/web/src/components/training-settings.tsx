"use client";

import { LossName, OptimizerName, type TrainingConfig } from "@stepwise/core/contracts";

export interface TrainingDraft {
  optimizer: string;
  learningRate: string;
  loss: string;
  epochs: string;
  batchSize: string;
  /** Step 7: data augmentation on, and its bounds (pixels, degrees, fraction), as typed. */
  augment: boolean;
  shift: string;
  rotation: string;
  zoom: string;
  /** Step 7: early stopping on, its patience in epochs as typed, and whether the best epoch's weights are restored. */
  earlyStop: boolean;
  patience: string;
  restoreBest: boolean;
}

/** Step 7's toolbox fields an exercise shows: each only where it applies and the assignment allows it. */
export interface ToolboxFields {
  augmentation: boolean;
  earlyStopping: boolean;
}

export const NO_TOOLBOX: ToolboxFields = { augmentation: false, earlyStopping: false };

/**
 * The toolbox fields for an exercise as the assignment places it: step 7 only; augmentation for image
 * data (MNIST) only; each technique only if the assignment's toolbox allows it (`allowed`, from
 * `toolboxPolicy(overrides).allowed`). The grader refuses the same cases, so a hidden field is never sent.
 */
export function toolboxFields(
  exercise: { step: number; kind: string; dataset: { kind: string } },
  allowed: readonly string[],
): ToolboxFields {
  if (exercise.kind !== "training" || exercise.step !== 7) return NO_TOOLBOX;
  return {
    augmentation: exercise.dataset.kind === "mnist" && allowed.includes("augmentation"),
    earlyStopping: allowed.includes("early-stopping"),
  };
}

export function draftFrom(config: TrainingConfig | null): TrainingDraft {
  const augmentation = config?.fit.augmentation;
  const stopping = config?.fit.earlyStopping;
  return {
    optimizer: config?.compile.optimizer ?? "adam",
    learningRate: String(config?.compile.learningRate ?? 0.001),
    loss: config?.compile.loss ?? "categoricalCrossentropy",
    epochs: String(config?.fit.epochs ?? 3),
    batchSize: String(config?.fit.batchSize ?? 128),
    // Bounds that change a digit without making it another one: ±2 px, ±10°, ±10%.
    augment: augmentation !== undefined,
    shift: String(augmentation?.shift ?? 2),
    rotation: String(augmentation?.rotation ?? 10),
    zoom: String(augmentation?.zoom ?? 0.1),
    earlyStop: stopping !== undefined,
    patience: String(stopping?.patience ?? 3),
    restoreBest: stopping?.restoreBestWeights ?? true,
  };
}

/**
 * The draft as the `training` part of a submission; the server validates it again with the shared
 * schema. Toolbox settings are included only when their field is shown (`fields`) and switched on.
 */
export function trainingFrom(draft: TrainingDraft, base: TrainingConfig | null, fields: ToolboxFields = NO_TOOLBOX): TrainingConfig {
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
      ...(fields.augmentation && draft.augment
        ? { augmentation: { shift: Number(draft.shift), rotation: Number(draft.rotation), zoom: Number(draft.zoom) } }
        : {}),
      ...(fields.earlyStopping && draft.earlyStop
        ? { earlyStopping: { patience: Number(draft.patience), restoreBestWeights: draft.restoreBest } }
        : {}),
    },
  };
}

/** A labelled choice among a contract's names, each shown as itself. */
function NameSelect(props: {
  label: string;
  names: readonly string[];
  value: string;
  onChange: (event: { target: { value: string } }) => void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={props.onChange}>
        {props.names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function TrainingSettings({
  draft,
  onChange,
  maxEpochs,
  maxBatchSize,
  toolbox = NO_TOOLBOX,
}: {
  draft: TrainingDraft;
  onChange: (next: TrainingDraft) => void;
  maxEpochs: number;
  maxBatchSize: number;
  /** Step 7's toolbox fields to show (`toolboxFields`); none by default. */
  toolbox?: ToolboxFields;
}) {
  const set = (key: keyof TrainingDraft) => (event: { target: { value: string } }) => onChange({ ...draft, [key]: event.target.value });
  const toggle = (key: "augment" | "earlyStop" | "restoreBest") => (event: { target: { checked: boolean } }) =>
    onChange({ ...draft, [key]: event.target.checked });
  return (
    <>
      <fieldset className="grid-settings" style={{ border: "none", padding: 0, margin: 0 }}>
        <legend className="visually-hidden">Training settings</legend>
        <NameSelect label="Optimizer" names={OptimizerName.options} value={draft.optimizer} onChange={set("optimizer")} />
        <label>
          Learning rate
          <input type="number" inputMode="decimal" step="any" min="0" max="10" value={draft.learningRate} onChange={set("learningRate")} />
        </label>
        <NameSelect label="Loss" names={LossName.options} value={draft.loss} onChange={set("loss")} />
        <label>
          Epochs
          <input type="number" min="1" max={maxEpochs} step="1" value={draft.epochs} onChange={set("epochs")} />
        </label>
        <label>
          Batch size
          <input type="number" min="1" max={maxBatchSize} step="1" value={draft.batchSize} onChange={set("batchSize")} />
        </label>
      </fieldset>
      {(toolbox.augmentation || toolbox.earlyStopping) && (
        <fieldset style={{ border: "none", padding: 0, margin: "0.75rem 0 0" }} data-testid="toolbox-settings">
          <legend style={{ fontWeight: 600 }}>Regularization toolbox</legend>
          {toolbox.augmentation && (
            <>
              <label className="option">
                <input type="checkbox" checked={draft.augment} onChange={toggle("augment")} /> Data augmentation: random shifts, rotations
                and zoom of the training images (never of validation or test images)
              </label>
              {draft.augment && (
                <div className="grid-settings" style={{ margin: "0.5rem 0" }}>
                  <label>
                    Shift (pixels, 0–4)
                    <input type="number" inputMode="decimal" min="0" max="4" step="any" value={draft.shift} onChange={set("shift")} />
                  </label>
                  <label>
                    Rotation (degrees, 0–30)
                    <input
                      type="number"
                      inputMode="decimal"
                      min="0"
                      max="30"
                      step="any"
                      value={draft.rotation}
                      onChange={set("rotation")}
                    />
                  </label>
                  <label>
                    Zoom (fraction, 0–0.3)
                    <input type="number" inputMode="decimal" min="0" max="0.3" step="any" value={draft.zoom} onChange={set("zoom")} />
                  </label>
                </div>
              )}
            </>
          )}
          {toolbox.earlyStopping && (
            <>
              <label className="option">
                <input type="checkbox" checked={draft.earlyStop} onChange={toggle("earlyStop")} /> Early stopping: stop when validation loss
                stops improving
              </label>
              {draft.earlyStop && (
                <div className="grid-settings" style={{ margin: "0.5rem 0" }}>
                  <label>
                    Patience (epochs, 1–50)
                    <input type="number" min="1" max="50" step="1" value={draft.patience} onChange={set("patience")} />
                  </label>
                  <label className="option">
                    <input type="checkbox" checked={draft.restoreBest} onChange={toggle("restoreBest")} /> Restore the best epoch&apos;s
                    weights
                  </label>
                </div>
              )}
            </>
          )}
          {toolbox.earlyStopping && (
            <p className="muted small" style={{ margin: "0.25rem 0 0" }}>
              The final model trains on training + validation data, where early stopping has nothing to watch: it trains for the epochs your
              run settled on.
            </p>
          )}
        </fieldset>
      )}
    </>
  );
}
