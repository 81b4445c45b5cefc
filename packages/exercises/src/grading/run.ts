import type { DataSlice, DatasetRef, EpochMetrics, TrainingConfig, TrainingReport } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import type { JsonObject } from "@stepwise/core/model";
import { predict, train } from "@stepwise/core/training";
import { loadTrainingData } from "./data";
import type { TaskInfo } from "./task";

export interface TrainAndPredictInput {
  topology: JsonObject;
  training: TrainingConfig;
  dataset: DatasetRef;
  slice: DataSlice;
  task: TaskInfo;
  seed: number;
  /** The exercise's training budget, seconds. */
  maxSeconds: number;
  cacheDir?: string;
  backend: string;
  tfjsVersion: string;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  onEvaluating?: () => void;
  signal?: AbortSignal;
}

export interface TrainAndPredictResult {
  report: TrainingReport;
  /** Predicted class (or value, for regression) per test example; empty when training stopped early. */
  predictions: number[];
  outputStd: number;
}

/** Argmax per row for a softmax head, a 0.5 threshold for one sigmoid unit, the value for regression. */
export function decide(outputs: Float32Array, rows: number, task: TaskInfo): number[] {
  const width = rows === 0 ? 1 : outputs.length / rows;
  const predictions = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    if (task.kind === "regression") predictions[r] = outputs[r * width] ?? 0;
    else if (width === 1) predictions[r] = (outputs[r] ?? 0) >= 0.5 ? 1 : 0;
    else {
      let best = 0;
      for (let c = 1; c < width; c++) if ((outputs[r * width + c] ?? -Infinity) > (outputs[r * width + best] ?? -Infinity)) best = c;
      predictions[r] = best;
    }
  }
  return predictions;
}

function std(values: Float32Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length || 1;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return Math.sqrt(sq / (values.length || 1));
}

/**
 * Trains a validated model on the training split and predicts the test inputs. It never touches
 * test labels, so the grader runs it inside a sandboxed child; the CLI runs it in-process.
 */
export async function trainAndPredict(tf: Tf, input: TrainAndPredictInput): Promise<TrainAndPredictResult> {
  const data = loadTrainingData(input.dataset, { slice: input.slice, seed: input.seed, cacheDir: input.cacheDir });
  const { report, model } = await train(tf, {
    topology: input.topology,
    training: input.training,
    train: data.train,
    task: input.task,
    seed: input.seed,
    maxSeconds: input.maxSeconds,
    ...(input.signal ? { signal: input.signal } : {}),
    onEpoch: (metrics, _epoch, epochs) => input.onEpoch?.(metrics, epochs),
  });
  try {
    const stamped = { ...report, backend: input.backend, tfjsVersion: input.tfjsVersion };
    if (report.stopReason !== "completed" && report.stopReason !== "early_stopping") {
      return { report: stamped, predictions: [], outputStd: 0 };
    }
    input.onEvaluating?.();
    const outputs = predict(tf, model, data.testInputs);
    return { report: stamped, predictions: decide(outputs, data.testInputs.n, input.task), outputStd: std(outputs) };
  } finally {
    model.dispose();
  }
}
