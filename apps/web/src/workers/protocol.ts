/** Messages between the step page and the model worker. Kept free of tfjs so the page bundle stays small. */
import type { EpochMetrics, TrainingConfig } from "@stepwise/core/contracts";

export interface BuildRequest {
  id: number;
  type: "build";
  code: string;
}

/** Preview training: build the model from `code`, fetch the training subset from `dataUrl`, fit with `training`. */
export interface TrainRequest {
  id: number;
  type: "train";
  code: string;
  training: TrainingConfig;
  dataUrl: string;
}

/** Ends the running preview after the current batch; the worker answers the train request with `stopped: true`. */
export interface StopRequest {
  id: number;
  type: "stop";
}

export type WorkerRequest = BuildRequest | TrainRequest | StopRequest;

export interface WorkerLayerSummary {
  name: string;
  className: string;
  outputShape: string;
  params: number;
}

export interface BuildResult {
  topology: Record<string, unknown>;
  layers: WorkerLayerSummary[];
  totalParams: number;
  trainableParams: number;
}

/**
 * One preview epoch. Regression previews (CSV) track the mean absolute error instead of accuracy,
 * in the target's own unit (the model trains on standardized targets; the error is scaled back).
 */
export type PreviewEpochMetrics = EpochMetrics & { mae?: number; valMae?: number };

export interface TrainResult {
  history: PreviewEpochMetrics[];
  /** What the preview measured: accuracy (classification) or the mean absolute error (regression). */
  metric: "accuracy" | "mae";
  /** tfjs backend the preview ran on: webgl, wasm or cpu. */
  backend: string;
  /** Examples trained on (before the validation split). */
  examples: number;
  stopped: boolean;
}

export type WorkerResponse =
  | { id: number; type: "built"; result: BuildResult }
  | { id: number; type: "status"; message: string }
  | { id: number; type: "epoch"; metrics: PreviewEpochMetrics }
  | { id: number; type: "trained"; result: TrainResult }
  | { id: number; type: "error"; message: string };
