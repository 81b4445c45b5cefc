import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { backendLabel } from "../backend/label";
import type { Tf } from "../backend/tf";
import { ValidationError } from "../contracts/errors";
import type { EpochMetrics, TrainingEvidence, TrainingReport } from "../contracts/training";
import type { ExampleSet } from "../datasets/types";
import { earlyStopping } from "./early-stopping";
import { EvidenceRecorder, PROBE_BATCHES } from "./evidence";
import { BatchBuilder, resolveInputShape } from "./inputs";
import { requireLabels } from "./labels";
import { evaluate, runEpoch, type EpochContext } from "./loop";
import { releaseRnnMasks } from "./randomness";
import { range } from "./rng";
import { setUpRun, type RunSetup, type RunSetupOptions } from "./setup";

export interface TrainOptions extends RunSetupOptions {
  signal?: AbortSignal;
  /** Wall-clock budget in seconds; training stops with stopReason "budget" when it runs out. */
  maxSeconds?: number;
  onEpoch?: (metrics: EpochMetrics, epoch: number, epochs: number) => void;
  /** Milliseconds clock, injectable for tests. */
  now?: () => number;
  /** Examples per validation batch (memory, not semantics). */
  evalBatchSize?: number;
  /**
   * Record the first epoch's gradient, update and saturation evidence (`report.evidence`); default
   * on. It never changes the run: turning it off gives the same history and weights to the bit.
   */
  evidence?: boolean;
}

export { buildModel, OPTIMIZERS } from "./setup";

/**
 * Trains from scratch with our own seeded loop and returns the per-epoch report and the model
 * (the caller disposes it). Reproducible: same topology, data, seed and backend → same history.
 * `fit.augmentation` transforms the training batches only; `fit.earlyStopping` watches validation
 * loss and, with `restoreBestWeights`, returns the best epoch's weights (`report.bestEpoch`).
 */
export async function train(tf: Tf, options: TrainOptions): Promise<{ report: TrainingReport; model: LayersModel }> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const { fit } = options.training;
  const run = await setUpRun(tf, options);
  const { model, optimizer, trainIdx, valIdx } = run;
  let best: Tensor[] | undefined;
  let recorder: EvidenceRecorder | undefined;
  try {
    if (fit.earlyStopping && !valIdx) {
      throw new ValidationError(
        "early stopping watches validation loss, and this run has no validation data: set a validation split above 0 (e.g. 0.2) or use K-fold, or remove `earlyStopping`",
        "training.fit.earlyStopping",
      );
    }
    const valSet = options.validation ?? options.train;
    const evalBatch = options.evalBatchSize ?? 1024;
    const ctx: EpochContext = {
      tf,
      model,
      encoding: run.encoding,
      withAccuracy: run.withAccuracy,
      random: run.random,
      reseed: run.reseed,
      set: options.train,
      labels: run.labels,
      batchSize: fit.batchSize,
      batches: run.batches,
      shouldStop: () =>
        options.signal?.aborted
          ? "aborted"
          : options.maxSeconds !== undefined && now() - started > options.maxSeconds * 1000
            ? "budget"
            : undefined,
    };
    const valCtx = valIdx && {
      ...ctx,
      set: valSet,
      labels: requireLabels(valSet, "validation"),
      batchSize: evalBatch,
      batches: new BatchBuilder(tf, valSet, run.inputShape, Math.min(evalBatch, valIdx.length), run.encoding.width),
    };

    recorder = options.evidence === false ? undefined : evidenceRecorder(tf, run, options, fit.batchSize);
    recorder?.beforeTraining();
    let evidence: TrainingEvidence | undefined;
    const history: EpochMetrics[] = [];
    let stopReason: TrainingReport["stopReason"] = "completed";
    const stopping = fit.earlyStopping;
    const stopper = stopping && earlyStopping(stopping.patience);
    let bestEpoch: number | undefined;
    for (let epoch = 1; epoch <= fit.epochs; epoch++) {
      const epochStart = now();
      const watching = epoch === 1 ? recorder : undefined;
      const result = await runEpoch(
        watching
          ? {
              ...ctx,
              afterStep: (step) => {
                if (step === 0) watching.afterFirstStep();
              },
            }
          : ctx,
        trainIdx,
        fit.shuffle,
      );
      // A first epoch that diverged is evidence too: of how large its updates were.
      if (watching && (!result.stop || result.stop === "diverged")) evidence = watching.afterFirstEpoch();
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
      const seen = stopper?.observe(watched);
      if (seen === "improved") {
        bestEpoch = epoch;
        // The checkpoint: a copy of the weights of the best epoch so far.
        if (stopping?.restoreBestWeights) {
          best?.forEach((t) => t.dispose());
          best = model.getWeights().map((w) => w.clone());
        }
      } else if (seen === "stop") {
        stopReason = "early_stopping";
        break;
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
      ...(evidence ? { evidence } : {}),
    };
    return { report, model };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    recorder?.dispose();
    best?.forEach((t) => t.dispose());
    // Passed-in optimizers are not owned by the model, so model.dispose() would leak their slots.
    optimizer.dispose();
  }
}

/**
 * The evidence probes the first batches of the training split in its fixed order, built without
 * augmentation (whose random stream belongs to the training batches).
 */
function evidenceRecorder(tf: Tf, run: RunSetup, options: TrainOptions, batchSize: number): EvidenceRecorder {
  const size = Math.min(batchSize, 256);
  const probes: Int32Array[] = [];
  for (let start = 0; start < run.trainIdx.length && probes.length < PROBE_BATCHES; start += size)
    probes.push(run.trainIdx.subarray(start, start + size));
  const batches = new BatchBuilder(tf, options.train, run.inputShape, size, run.encoding.width);
  return new EvidenceRecorder(tf, run.model, batches, run.encoding, run.labels, probes);
}

/**
 * Model outputs for every example, row-major (n × outputs). Batches of 1024: predict's default
 * of 32 is ~19× slower on wasm. `model.apply` in inference mode rather than `model.predict`, whose
 * loop slices (copies) every batch out of its input first: the same layers on the same values.
 */
export function predict(tf: Tf, model: LayersModel, set: ExampleSet, batchSize = 1024): Float32Array {
  const shape = resolveInputShape(model.inputs[0]?.shape ?? [], set);
  const width = model.outputs[0]?.shape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1) ?? 1;
  const out = new Float32Array(set.n * width);
  const batches = new BatchBuilder(tf, set, shape, Math.min(batchSize, Math.max(set.n, 1)), 1);
  for (let start = 0; start < set.n; start += batchSize) {
    const indices = range(Math.min(batchSize, set.n - start)).map((i) => i + start);
    const values = tf.tidy(() => (model.apply(batches.inputs(indices), { training: false }) as Tensor).dataSync());
    out.set(values, start * width);
  }
  releaseRnnMasks(tf, model);
  return out;
}
