import type { DataSlice, DatasetRef, EpochMetrics, FoldResult, TrainingConfig, TrainingReport } from "@stepwise/core/contracts";
import type { Tf } from "@stepwise/core/backend";
import { kFoldIndices, subset, unscaleTarget, type ExampleSet, type InputScaling, type TargetScale } from "@stepwise/core/datasets";
import type { JsonObject } from "@stepwise/core/model";
import { predict, train } from "@stepwise/core/training";
import type { CsvTrainingData } from "./csv";
import { loadTrainingData } from "./data";
import type { TaskInfo } from "./task";
import { chosenEpochs } from "./toolbox-verdict";

export interface TrainAndPredictInput {
  topology: JsonObject;
  training: TrainingConfig;
  dataset: DatasetRef;
  slice: DataSlice;
  task: TaskInfo;
  /** Training seed: initial weights, batch order, dropout, the validation split and K-fold's folds. */
  seed: number;
  /**
   * Seed of the data slice and the test inputs' order (the exercise's seed); default `seed`. It stays
   * the exercise's when a model is retrained with several training seeds: the grader's parent scores
   * the predictions against test labels it loaded with that seed.
   */
  dataSeed?: number;
  /** The exercise's training budget, seconds (all folds and the final model of a K-fold run together). */
  maxSeconds: number;
  cacheDir?: string;
  /** CSV datasets: the rows the grader's parent encoded (training rows with labels, test inputs). */
  csv?: CsvTrainingData;
  /** Guided courses: step 4's scaling of image inputs, fitted on the training examples only. */
  scaling?: InputScaling;
  backend: string;
  tfjsVersion: string;
  onEpoch?: (metrics: EpochMetrics, epochs: number) => void;
  onEvaluating?: () => void;
  signal?: AbortSignal;
  /** Milliseconds clock of the budget (the grader's child passes its CPU time); injectable for tests. */
  now?: () => number;
}

export interface TrainAndPredictResult {
  report: TrainingReport;
  /** Predicted class (or value in the target's unit, for regression) per test example; empty when training stopped early. */
  predictions: number[];
  outputStd: number;
  /** Binary tasks: the model's score for class 1 per test example (for ROC AUC, step 2's metric). */
  scores?: number[];
}

/**
 * Argmax per row for a softmax head, a 0.5 threshold for one sigmoid unit, the value for regression
 * (mapped back to the target's unit when the grader standardized the target).
 */
export function decide(outputs: Float32Array, rows: number, task: TaskInfo, targetScale?: TargetScale): number[] {
  const width = rows === 0 ? 1 : outputs.length / rows;
  const predictions = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    if (task.kind === "regression") {
      const value = outputs[r * width] ?? 0;
      predictions[r] = targetScale ? unscaleTarget(value, targetScale) : value;
    } else if (width === 1) predictions[r] = (outputs[r] ?? 0) >= 0.5 ? 1 : 0;
    else {
      let best = 0;
      for (let c = 1; c < width; c++) if ((outputs[r * width + c] ?? -Infinity) > (outputs[r * width + best] ?? -Infinity)) best = c;
      predictions[r] = best;
    }
  }
  return predictions;
}

/** Class 1's score per row of a binary head (one sigmoid unit, or the second of two softmax units); undefined otherwise. */
export function positiveScores(outputs: Float32Array, rows: number, task: TaskInfo): number[] | undefined {
  if (task.kind !== "binary" || rows === 0) return undefined;
  const width = outputs.length / rows;
  if (width !== 1 && width !== 2) return undefined;
  return Array.from({ length: rows }, (_, r) => outputs[r * width + width - 1] ?? 0);
}

function std(values: Float32Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length || 1;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return Math.sqrt(sq / (values.length || 1));
}

function predicted(
  outputs: Float32Array,
  rows: number,
  task: TaskInfo,
  targetScale: TargetScale | undefined,
): Omit<TrainAndPredictResult, "report"> {
  const scores = positiveScores(outputs, rows, task);
  return { predictions: decide(outputs, rows, task, targetScale), outputStd: std(outputs), ...(scores ? { scores } : {}) };
}

const finished = (report: TrainingReport) => report.stopReason === "completed" || report.stopReason === "early_stopping";

/**
 * Trains a validated model on the training split and predicts the test inputs. It never touches
 * test labels, so the grader runs it inside a sandboxed child; the CLI runs it in-process.
 * With `training.validation` K-fold, see `trainKFold`.
 */
export async function trainAndPredict(tf: Tf, input: TrainAndPredictInput): Promise<TrainAndPredictResult> {
  const data = loadTrainingData(input.dataset, {
    slice: input.slice,
    seed: input.dataSeed ?? input.seed,
    cacheDir: input.cacheDir,
    ...(input.csv ? { csv: input.csv } : {}),
    ...(input.scaling ? { scaling: input.scaling } : {}),
  });
  const protocol = input.training.validation;
  if (protocol?.kind === "kfold") return trainKFold(tf, input, data, protocol.folds);
  const { report, model } = await train(tf, {
    topology: input.topology,
    training: input.training,
    train: data.train,
    task: input.task,
    seed: input.seed,
    splitSeed: input.dataSeed ?? input.seed,
    maxSeconds: input.maxSeconds,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.now ? { now: input.now } : {}),
    onEpoch: (metrics, _epoch, epochs) => input.onEpoch?.(metrics, epochs),
  });
  try {
    const stamped = { ...report, backend: input.backend, tfjsVersion: input.tfjsVersion };
    if (!finished(report)) return { report: stamped, predictions: [], outputStd: 0 };
    input.onEvaluating?.();
    const outputs = predict(tf, model, data.testInputs);
    return { report: stamped, ...predicted(outputs, data.testInputs.n, input.task, input.csv?.targetScale) };
  } finally {
    model.dispose();
  }
}

type Model = Awaited<ReturnType<typeof train>>["model"];

/** Folds are drawn with their own seed, so changing K never reshuffles the harness's batches. */
const FOLD_SALT = 0x6b_f01d;

/** Validation metric of a fold's model on its held-out fold: accuracy, or MAE in the target's unit. */
function foldMetric(tf: Tf, model: Model, set: ExampleSet, task: TaskInfo, targetScale: TargetScale | undefined): number {
  const predictions = decide(predict(tf, model, set), set.n, task, targetScale);
  const labels = set.labels ?? new Int32Array(0);
  let total = 0;
  for (let i = 0; i < set.n; i++) {
    const label = labels[i] ?? 0;
    const prediction = predictions[i] ?? 0;
    if (task.kind === "regression") total += Math.abs((targetScale ? unscaleTarget(label, targetScale) : label) - prediction);
    else if (prediction === label) total += 1;
  }
  return total / Math.max(1, set.n);
}

/** Per-epoch means over the folds (the epochs every fold reached): the curve K-fold is read from. */
export function meanHistory(histories: readonly EpochMetrics[][]): EpochMetrics[] {
  const epochs = Math.min(...histories.map((h) => h.length));
  const mean = (rows: EpochMetrics[], key: "loss" | "accuracy" | "valLoss" | "valAccuracy" | "seconds") => {
    const values = rows.map((row) => row[key]);
    return values.every((v): v is number => v !== undefined) ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
  };
  return Array.from({ length: Number.isFinite(epochs) ? epochs : 0 }, (_, e) => {
    const rows = histories.map((h) => h[e] as EpochMetrics);
    const row: EpochMetrics = { epoch: e + 1, loss: mean(rows, "loss") ?? Number.NaN, seconds: mean(rows, "seconds") ?? 0 };
    for (const key of ["accuracy", "valLoss", "valAccuracy"] as const) {
      const value = mean(rows, key);
      if (value !== undefined) row[key] = value;
    }
    return row;
  });
}

/**
 * K-fold cross-validation on the training split only (test data plays no part): K models, each
 * trained on K − 1 folds and validated on the remaining one, with the same seeds; the report's
 * history is the per-epoch mean over the folds and `kfold` holds each fold's validation metric.
 * Then the model is trained once on all training data and predicts the test inputs. All K + 1
 * trainings share the exercise's `maxSeconds`: K-fold costs K× the epochs of one run, and the budget
 * stops it the same way. Epochs stream with one running count over the K + 1 trainings.
 */
async function trainKFold(
  tf: Tf,
  input: TrainAndPredictInput,
  data: { train: ExampleSet; testInputs: ExampleSet },
  k: number,
): Promise<TrainAndPredictResult> {
  const now = input.now ?? (() => performance.now());
  const started = now();
  const remaining = () => input.maxSeconds - (now() - started) / 1000;
  const epochs = input.training.fit.epochs;
  const total = (k + 1) * epochs;
  const targetScale = input.csv?.targetScale;
  const base = { topology: input.topology, task: input.task, seed: input.seed, now, ...(input.signal ? { signal: input.signal } : {}) };
  const stamp = (report: TrainingReport, history: EpochMetrics[], extra: Partial<TrainingReport> = {}): TrainingReport => ({
    ...report,
    history,
    backend: input.backend,
    tfjsVersion: input.tfjsVersion,
    durationMs: now() - started,
    ...extra,
  });

  const histories: EpochMetrics[][] = [];
  const folds: FoldResult[] = [];
  const stopping = input.training.fit.earlyStopping;
  const settled: number[] = [];
  const splits = kFoldIndices(data.train.n, k, (input.dataSeed ?? input.seed) ^ FOLD_SALT);
  for (const [i, split] of splits.entries()) {
    const validation = subset(data.train, split.validation);
    const { report, model } = await train(tf, {
      ...base,
      training: input.training,
      train: subset(data.train, split.train),
      validation,
      maxSeconds: remaining(),
      onEpoch: (metrics) => input.onEpoch?.({ ...metrics, epoch: i * epochs + metrics.epoch }, total),
    });
    try {
      histories.push(report.history);
      if (!finished(report)) return { report: stamp(report, report.history), predictions: [], outputStd: 0 };
      if (stopping) settled.push(chosenEpochs(stopping, report));
      folds.push({ fold: i + 1, validationSize: validation.n, value: foldMetric(tf, model, validation, input.task, targetScale) });
    } finally {
      model.dispose();
    }
  }

  const { validation: _protocol, ...single } = input.training;
  // Early stopping has no validation data to watch in the final run: it trains for the folds' mean stopping epoch.
  const { earlyStopping: _stopping, ...fit } = input.training.fit;
  const finalEpochs = stopping ? Math.max(1, Math.round(settled.reduce((a, b) => a + b, 0) / settled.length)) : epochs;
  const { report, model } = await train(tf, {
    ...base,
    training: { ...single, fit: { ...fit, validationSplit: 0, epochs: finalEpochs } },
    train: data.train,
    maxSeconds: remaining(),
    onEpoch: (metrics) => input.onEpoch?.({ ...metrics, epoch: k * epochs + metrics.epoch }, total),
  });
  try {
    const kfold = {
      metric: input.task.kind === "regression" ? ("mae" as const) : ("accuracy" as const),
      folds,
      ...(stopping ? { finalEpochs } : {}),
    };
    const reported = stamp(report, meanHistory(histories), { kfold });
    if (!finished(report)) return { report: reported, predictions: [], outputStd: 0 };
    input.onEvaluating?.();
    const outputs = predict(tf, model, data.testInputs);
    return { report: reported, ...predicted(outputs, data.testInputs.n, input.task, targetScale) };
  } finally {
    model.dispose();
  }
}
