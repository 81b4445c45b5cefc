import type { LayersModel, Optimizer, Tensor } from "@tensorflow/tfjs";
import { backendLabel } from "../backend/label";
import { rmsprop } from "../backend/rmsprop";
import type { Tf } from "../backend/tf";
import { ValidationError } from "../contracts/errors";
import type { EpochMetrics, OptimizerName, TrainingConfig, TrainingReport } from "../contracts/training";
import type { ExampleSet } from "../datasets/types";
import type { JsonObject } from "../model/json";
import { withSeeds } from "../model/seeds";
import { augmenterFor } from "./augment";
import { BatchBuilder, resolveInputShape } from "./inputs";
import { labelEncoding, requireLabels, type Task } from "./labels";
import { evaluate, runEpoch, type EpochContext } from "./loop";
import { releaseRnnMasks, seededSteps } from "./randomness";
import { mulberry32, range, shuffle } from "./rng";

export interface TrainOptions {
  /** Normalized topology from `parseModelSpec`. */
  topology: JsonObject;
  training: TrainingConfig;
  train: ExampleSet;
  /** Held-out set; without it the last `fit.validationSplit` of a seeded permutation of `train`. */
  validation?: ExampleSet;
  task: Task;
  seed: number;
  /**
   * Seed of the validation split (default `seed`). The grader passes the exercise's data seed, so a
   * model retrained with several training seeds is validated on the same examples every time and
   * the spread across seeds measures the model, not the luck of the split.
   */
  splitSeed?: number;
  signal?: AbortSignal;
  /** Wall-clock budget in seconds; training stops with stopReason "budget" when it runs out. */
  maxSeconds?: number;
  onEpoch?: (metrics: EpochMetrics, epoch: number, epochs: number) => void;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  /** Examples per validation batch (memory, not semantics). */
  evalBatchSize?: number;
}

export const OPTIMIZERS: Record<OptimizerName, (tf: Tf, lr: number) => Optimizer> = {
  sgd: (tf, lr) => tf.train.sgd(lr),
  momentum: (tf, lr) => tf.train.momentum(lr, 0.9),
  adam: (tf, lr) => tf.train.adam(lr),
  // tf.train.rmsprop, with its update run natively in one pass on the wasm+openblas path (backend/rmsprop.ts).
  rmsprop: (tf, lr) => rmsprop(tf, lr),
  adagrad: (tf, lr) => tf.train.adagrad(lr),
  adadelta: (tf, lr) => tf.train.adadelta(lr),
  adamax: (tf, lr) => tf.train.adamax(lr),
};

/** Builds a fresh model from the topology with initializer seeds derived from `seed`. */
export async function buildModel(tf: Tf, topology: JsonObject, seed: number): Promise<LayersModel> {
  const seeded = withSeeds(topology, seed) as unknown as Parameters<Tf["models"]["modelFromJSON"]>[0];
  // LSTM's unit_forget_bias initializer leaks 4 tensors per build in TF.js 4.22; a scope frees
  // every non-variable tensor building creates. Nothing else may run tensor code in between,
  // which holds for one training per process (the grader's child).
  tf.engine().startScope();
  try {
    return await tf.models.modelFromJSON(seeded);
  } catch (error) {
    // parseModelSpec mirrors TF.js's checks; if one slips through, it is still the model's fault.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`TF.js could not build this model: ${reason.slice(0, 300)}`);
  } finally {
    tf.engine().endScope();
  }
}

/**
 * Trains from scratch with our own seeded loop and returns the per-epoch report and the model
 * (the caller disposes it). Reproducible: same topology, data, seed and backend → same history.
 * `fit.augmentation` transforms the training batches only; `fit.earlyStopping` watches validation
 * loss and, with `restoreBestWeights`, returns the best epoch's weights (`report.bestEpoch`).
 */
export async function train(tf: Tf, options: TrainOptions): Promise<{ report: TrainingReport; model: LayersModel }> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const { compile, fit } = options.training;
  const random = mulberry32(options.seed);
  const model = await buildModel(tf, options.topology, options.seed);
  const optimizer = OPTIMIZERS[compile.optimizer](tf, compile.learningRate);
  let best: Tensor[] | undefined;
  try {
    const outputUnits = model.outputs[0]?.shape.at(-1) ?? 1;
    const encoding = labelEncoding(compile.loss, options.task, outputUnits);
    const withAccuracy = options.task.kind !== "regression" && compile.metrics.includes("accuracy");
    model.compile({ optimizer, loss: compile.loss, metrics: withAccuracy ? ["accuracy"] : [] });
    const inputShape = resolveInputShape(model.inputs[0]?.shape ?? [], options.train);

    const trainLabels = requireLabels(options.train, "training");
    let trainIdx = range(options.train.n);
    let valIdx: Int32Array | undefined;
    if (options.validation) {
      resolveInputShape(model.inputs[0]?.shape ?? [], options.validation);
      valIdx = range(options.validation.n);
    } else if (fit.validationSplit > 0) {
      const order = shuffle(range(options.train.n), mulberry32((options.splitSeed ?? options.seed) ^ 0x5eed));
      const cut = Math.round(order.length * (1 - fit.validationSplit));
      trainIdx = order.slice(0, cut).sort();
      valIdx = order.slice(cut).sort();
    }
    if (trainIdx.length === 0) throw new ValidationError("there are no training examples left after the validation split");
    if (fit.earlyStopping && !valIdx) {
      throw new ValidationError(
        "early stopping watches validation loss, and this run has no validation data: set a validation split above 0 (e.g. 0.2) or use K-fold, or remove `earlyStopping`",
        "training.fit.earlyStopping",
      );
    }
    // Its own random stream (augment.ts): the shuffles and dropout masks below are the same with or without it.
    const augmenter = augmenterFor(fit, options.train, options.seed);
    const valSet = options.validation ?? options.train;
    const evalBatch = options.evalBatchSize ?? 1024;
    const ctx: EpochContext = {
      tf, model, encoding, withAccuracy, random,
      reseed: seededSteps(tf, model, random),
      set: options.train,
      labels: trainLabels,
      batchSize: fit.batchSize,
      batches: new BatchBuilder(tf, options.train, inputShape, fit.batchSize, encoding.width, augmenter),
      shouldStop: () =>
        options.signal?.aborted ? "aborted" : options.maxSeconds !== undefined && now() - started > options.maxSeconds * 1000 ? "budget" : undefined,
    };
    const valCtx = valIdx && {
      ...ctx,
      set: valSet,
      labels: requireLabels(valSet, "validation"),
      batchSize: evalBatch,
      batches: new BatchBuilder(tf, valSet, inputShape, Math.min(evalBatch, valIdx.length), encoding.width),
    };

    const history: EpochMetrics[] = [];
    let stopReason: TrainingReport["stopReason"] = "completed";
    const stopping = fit.earlyStopping;
    let bestLoss = Number.POSITIVE_INFINITY;
    let bestEpoch: number | undefined;
    let sinceBest = 0;
    for (let epoch = 1; epoch <= fit.epochs; epoch++) {
      const epochStart = now();
      const result = await runEpoch(ctx, trainIdx, fit.shuffle);
      if (result.stop) {
        stopReason = result.stop;
        break;
      }
      const metrics: EpochMetrics = { epoch, loss: result.loss, seconds: 0 };
      if (result.accuracy !== undefined) metrics.accuracy = result.accuracy;
      if (valCtx && valIdx) {
        const val = evaluate(valCtx, valIdx);
        metrics.valLoss = val.loss;
        if (val.accuracy !== undefined) metrics.valAccuracy = val.accuracy;
      }
      metrics.seconds = (now() - epochStart) / 1000;
      history.push(metrics);
      options.onEpoch?.(metrics, epoch, fit.epochs);
      const watched = metrics.valLoss ?? metrics.loss;
      if (!Number.isFinite(watched)) {
        stopReason = "diverged";
        break;
      }
      if (stopping) {
        if (watched < bestLoss) {
          bestLoss = watched;
          bestEpoch = epoch;
          sinceBest = 0;
          // The checkpoint: a copy of the weights of the best epoch so far.
          if (stopping.restoreBestWeights) {
            best?.forEach((t) => t.dispose());
            best = model.getWeights().map((w) => w.clone());
          }
        } else if (++sinceBest >= stopping.patience) {
          stopReason = "early_stopping";
          break;
        }
      }
    }
    // Restored whether patience ran out or the epochs did: the model returned is the best epoch's,
    // so its predictions are those of a model trained for exactly `bestEpoch` epochs.
    const finished = stopReason === "early_stopping" || stopReason === "completed";
    if (best && finished && bestEpoch !== history.length) model.setWeights(best);
    releaseRnnMasks(tf, model);
    const report: TrainingReport = {
      history,
      backend: backendLabel(tf),
      tfjsVersion: tf.version.tfjs,
      seed: options.seed,
      durationMs: now() - started,
      stoppedEarly: stopReason !== "completed",
      stopReason,
      ...(bestEpoch !== undefined ? { bestEpoch } : {}),
    };
    return { report, model };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    best?.forEach((t) => t.dispose());
    // Passed-in optimizers are not owned by the model, so model.dispose() would leak their slots.
    optimizer.dispose();
  }
}

/**
 * Model outputs for every example, row-major (n × outputs). Batches of 1024: predict's default
 * of 32 is ~19× slower on wasm.
 */
export function predict(tf: Tf, model: LayersModel, set: ExampleSet, batchSize = 1024): Float32Array {
  const shape = resolveInputShape(model.inputs[0]?.shape ?? [], set);
  const width = model.outputs[0]?.shape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1) ?? 1;
  const out = new Float32Array(set.n * width);
  const batches = new BatchBuilder(tf, set, shape, Math.min(batchSize, Math.max(set.n, 1)), 1);
  for (let start = 0; start < set.n; start += batchSize) {
    const indices = range(Math.min(batchSize, set.n - start)).map((i) => i + start);
    const values = tf.tidy(() => (model.predict(batches.inputs(indices), { batchSize: indices.length }) as Tensor).dataSync());
    out.set(values, start * width);
  }
  releaseRnnMasks(tf, model);
  return out;
}
