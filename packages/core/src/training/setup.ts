import type { LayersModel, Optimizer } from "@tensorflow/tfjs";
import { nativeCrossentropy } from "../backend/crossentropy";
import { fuseDenseNatively } from "../backend/dense";
import { penalizeNatively } from "../backend/regularizers";
import { adam, rmsprop } from "../backend/optimizers";
import type { Tf } from "../backend/tf";
import { ValidationError } from "../contracts/errors";
import type { OptimizerName, TrainingConfig } from "../contracts/training";
import type { ExampleSet } from "../datasets/types";
import type { JsonObject } from "../model/json";
import { withSeeds } from "../model/seeds";
import { augmenterFor } from "./augment";
import { BatchBuilder, resolveInputShape } from "./inputs";
import { labelEncoding, requireLabels, type LabelEncoding, type Task } from "./labels";
import { seededSteps } from "./randomness";
import { mulberry32, range } from "./rng";
import { validationSplit } from "./split";

export const OPTIMIZERS: Record<OptimizerName, (tf: Tf, lr: number) => Optimizer> = {
  sgd: (tf, lr) => tf.train.sgd(lr),
  momentum: (tf, lr) => tf.train.momentum(lr, 0.9),
  // tf.train.adam, its update run natively in one pass per weight on the wasm+openblas path (backend/optimizers.ts).
  adam: (tf, lr) => adam(tf, lr),
  // tf.train.rmsprop, with its update run natively in one pass on the wasm+openblas path (backend/optimizers.ts).
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

export interface RunSetupOptions {
  /** Normalized topology from `parseModelSpec`. */
  topology: JsonObject;
  training: TrainingConfig;
  train: ExampleSet;
  /** Held-out set; without it the last `fit.validationSplit` of a seeded permutation of `train` (`validationSplit`). */
  validation?: ExampleSet;
  task: Task;
  seed: number;
  /**
   * Seed of the validation split (default `seed`). The grader passes the exercise's data seed, so a
   * model retrained with several training seeds is validated on the same examples every time and
   * the spread across seeds measures the model, not the luck of the split.
   */
  splitSeed?: number;
}

/** Everything one training run starts from, compiled and split: what `train` and `trainSteps` share. */
export interface RunSetup {
  model: LayersModel;
  optimizer: Optimizer;
  /** The run's random stream: batch shuffles and dropout, drawn in that order. */
  random: () => number;
  encoding: LabelEncoding;
  withAccuracy: boolean;
  inputShape: number[];
  labels: Int32Array | Float32Array;
  trainIdx: Int32Array;
  /** Indices into the validation set (`validation`, else `train`); none without validation. */
  valIdx?: Int32Array;
  /** Reseeds dropout before each step (randomness.ts). */
  reseed: () => void;
  /** Training batches, augmented when `fit.augmentation` asks (its own random stream, augment.ts). */
  batches: BatchBuilder;
}

/**
 * Builds, compiles and splits one run, so `train` and `trainSteps` feed a model the same examples in
 * the same order with the same seeds. The caller owns the model and the optimizer; if setting up
 * fails, both are disposed here.
 */
export async function setUpRun(tf: Tf, options: RunSetupOptions): Promise<RunSetup> {
  const { compile, fit } = options.training;
  const random = mulberry32(options.seed);
  const model = await buildModel(tf, options.topology, options.seed);
  // L2 weight penalties in the native addon when it is active, to the same bits (backend/regularizers.ts).
  penalizeNatively(tf, model);
  // Hidden relu Dense layers train as one native kernel each way, to the same bits (backend/dense.ts).
  fuseDenseNatively(tf, model);
  const optimizer = OPTIMIZERS[compile.optimizer](tf, compile.learningRate);
  try {
    const outputUnits = model.outputs[0]?.shape.at(-1) ?? 1;
    const encoding = labelEncoding(compile.loss, options.task, outputUnits);
    const withAccuracy = options.task.kind !== "regression" && compile.metrics.includes("accuracy");
    model.compile({ optimizer, loss: compile.loss, metrics: withAccuracy ? ["accuracy"] : [] });
    // categoricalCrossentropy's gradient in one native pass, to the same bits (backend/crossentropy.ts).
    nativeCrossentropy(tf, model);
    const inputShape = resolveInputShape(model.inputs[0]?.shape ?? [], options.train);
    const labels = requireLabels(options.train, "training");
    let split: { train: Int32Array; validation?: Int32Array };
    if (options.validation) {
      resolveInputShape(model.inputs[0]?.shape ?? [], options.validation);
      split = { train: range(options.train.n), validation: range(options.validation.n) };
    } else {
      split = validationSplit(options.train.n, fit.validationSplit, options.splitSeed ?? options.seed);
    }
    if (split.train.length === 0) throw new ValidationError("there are no training examples left after the validation split");
    const augmenter = augmenterFor(fit, options.train, options.seed);
    return {
      model,
      optimizer,
      random,
      encoding,
      withAccuracy,
      inputShape,
      labels,
      trainIdx: split.train,
      ...(split.validation ? { valIdx: split.validation } : {}),
      reseed: seededSteps(tf, model, random),
      batches: new BatchBuilder(tf, options.train, inputShape, fit.batchSize, encoding.width, augmenter),
    };
  } catch (error) {
    model.dispose();
    optimizer.dispose();
    throw error;
  }
}
