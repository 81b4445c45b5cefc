import type { LayersModel, Optimizer } from "@tensorflow/tfjs";
import type { Tf } from "../backend/tf";
import { ValidationError } from "../contracts/errors";
import type { TrainingConfig } from "../contracts/training";
import { releaseRnnMasks } from "./randomness";
import { mulberry32, shuffle } from "./rng";
import { trainStep } from "./loop";
import { setUpRun, type RunSetupOptions } from "./setup";
import { validationSplit } from "./split";

/** The loss of one gradient step, as the debugging experiments chart it. */
export interface BatchLoss {
  /** 0-based step over the whole run. */
  step: number;
  /** 1-based epoch the step belongs to. */
  epoch: number;
  /** Training loss of this batch, before the step's update. NaN or ±Infinity when training diverged. */
  loss: number;
  accuracy?: number;
  /** Learning rate the step used. */
  learningRate: number;
  /** Examples in the batch. */
  size: number;
}

export interface StepsOptions extends Omit<RunSetupOptions, "validation" | "splitSeed"> {
  /** Stop after this many steps; without it after `epochs`. */
  steps?: number;
  /** Stop after this many epochs (default: the training config's). */
  epochs?: number;
  /** Learning rate of each 0-based step (a schedule, e.g. the exponential sweep of a range test); default the compiled rate. */
  learningRate?: (step: number) => number;
  /** Called after every step; returning true stops the run there (stopReason "stopped"). */
  onBatch?: (batch: BatchLoss) => boolean | undefined;
  signal?: AbortSignal;
  /** Wall-clock budget in seconds. */
  maxSeconds?: number;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
}

export interface StepsResult {
  batches: BatchLoss[];
  /** Training examples per epoch, after the validation split. */
  epochSize: number;
  stopReason: "completed" | "stopped" | "diverged" | "budget" | "aborted";
  /** The trained model; the caller disposes it. */
  model: LayersModel;
}

/**
 * Sets an optimizer's learning rate between steps. SGD and momentum cache it as a scalar and
 * expose `setLearningRate`; the others read their `learningRate` field on every update.
 */
export function setLearningRate(optimizer: Optimizer, learningRate: number): void {
  const target = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof target.setLearningRate === "function") target.setLearningRate(learningRate);
  else target.learningRate = learningRate;
}

/**
 * The order in which `train` feeds the examples of `n` during its first epoch: its training
 * indices, shuffled by the first draws of `mulberry32(seed)` when `fit.shuffle` is on. Later
 * epochs also depend on the model's dropout draws, so only the first is predictable without training.
 */
export function firstEpochOrder(n: number, fit: Pick<TrainingConfig["fit"], "validationSplit" | "shuffle">, seed: number): Int32Array {
  // `train`'s split (split.ts); `steps.test.ts` holds this and the epoch shuffles below to `train`'s own losses and batches.
  const indices = validationSplit(n, fit.validationSplit, seed).train;
  return fit.shuffle ? shuffle(indices, mulberry32(seed)) : indices;
}

/**
 * Trains step by step on the grader's pipeline (same model build, seeds, validation split and
 * shuffles as `train`) and reports every batch's loss: what the per-batch loss curve and the
 * learning-rate range test need, and what `train`'s per-epoch report averages away.
 */
export async function trainSteps(tf: Tf, options: StepsOptions): Promise<StepsResult> {
  const { compile, fit } = options.training;
  const maxSteps = options.steps ?? Number.POSITIVE_INFINITY;
  const epochs = options.epochs ?? (options.steps === undefined ? fit.epochs : Number.POSITIVE_INFINITY);
  if (!(maxSteps >= 1) || !(epochs >= 1)) {
    throw new ValidationError(
      `trainSteps needs at least 1 step and 1 epoch, got steps ${String(options.steps)} and epochs ${String(options.epochs)}`,
    );
  }
  const now = options.now ?? (() => performance.now());
  const started = now();
  const {
    model,
    optimizer,
    random,
    encoding,
    withAccuracy,
    labels,
    trainIdx: indices,
    reseed,
    batches: builder,
  } = await setUpRun(tf, options);
  try {
    const batches: BatchLoss[] = [];
    const stop = (): StepsResult["stopReason"] | undefined =>
      options.signal?.aborted
        ? "aborted"
        : options.maxSeconds !== undefined && now() - started > options.maxSeconds * 1000
          ? "budget"
          : undefined;
    let stopReason: StepsResult["stopReason"] = "completed";
    run: for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = fit.shuffle ? shuffle(indices.slice(), random) : indices;
      for (let start = 0; start < order.length; start += fit.batchSize) {
        if (batches.length >= maxSteps) break run;
        const reason = stop();
        if (reason) {
          stopReason = reason;
          break run;
        }
        const batch = order.subarray(start, Math.min(start + fit.batchSize, order.length));
        const learningRate = options.learningRate?.(batches.length) ?? compile.learningRate;
        setLearningRate(optimizer, learningRate);
        reseed();
        const [loss = Number.NaN, accuracy] = await trainStep(model, builder, encoding, labels, batch);
        const row: BatchLoss = { step: batches.length, epoch, loss, learningRate, size: batch.length };
        if (withAccuracy && accuracy !== undefined) row.accuracy = accuracy;
        batches.push(row);
        const wantsStop = options.onBatch?.(row) === true;
        if (!Number.isFinite(loss)) {
          stopReason = "diverged";
          break run;
        }
        if (wantsStop) {
          stopReason = "stopped";
          break run;
        }
      }
    }
    releaseRnnMasks(tf, model);
    return { batches, epochSize: indices.length, stopReason, model };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
}
