/**
 * Step 7's toolbox in the browser preview. The preview trains with `model.fit` on the served subset,
 * not with the grader's harness, so early stopping and data augmentation are applied here the way the
 * harness applies them: stop once validation loss has not improved for `patience` epochs; augment the
 * training images only (never the validation ones) with core's seeded `augmentBatch`. The preview's
 * draws differ from the grader's (it augments a fresh copy each epoch rather than each batch), the
 * transforms and their bounds are the same.
 */
import type * as tf from "@tensorflow/tfjs";
import { augmentationRandom, augmentBatch, earlyStopping } from "@stepwise/core/browser";
import type { EarlyStopping, FitConfig } from "@stepwise/core/contracts";
import type { EncodedSet } from "./preview-encode";

/** Fed each epoch's validation loss, says whether training should stop there: core's rule, the harness's (never without early stopping). */
export function earlyStopper(stopping: EarlyStopping | undefined): (valLoss: number | undefined) => boolean {
  const rule = stopping && earlyStopping(stopping.patience);
  return (valLoss) => rule !== undefined && valLoss !== undefined && rule.observe(valLoss) === "stop";
}

/** MNIST images as the preview serves them: 28 × 28 × 1, in any input shape of 784 values. */
const MNIST_SHAPE = [28, 28, 1] as const;

/** The preview's fixed augmentation seed: the preview is not the grader's run, but it repeats itself. */
const PREVIEW_SEED = 1;

/**
 * `model.fit` with augmented training images: one epoch at a time, each on a fresh augmented copy of
 * the training part (the first 1 − validationSplit of the examples, as `fit`'s own split takes them),
 * validated on the untouched rest. Stops when `model.stopTraining` is set (the Stop button, or early
 * stopping in `onEpochEnd`).
 */
export async function fitAugmented(
  tfjs: typeof tf,
  model: tf.LayersModel,
  set: EncodedSet,
  fit: FitConfig & { augmentation: NonNullable<FitConfig["augmentation"]> },
  onEpochEnd: (epoch: number, logs?: tf.Logs) => void,
): Promise<void> {
  const size = set.inputs.length / Math.max(1, set.n);
  const labelSize = set.labels.length / Math.max(1, set.n);
  const split = Math.floor(set.n * (1 - fit.validationSplit));
  const images = set.inputs.subarray(0, split * size);
  const yTrain = tfjs.tensor(set.labels.subarray(0, split * labelSize), [split, ...set.labelShape]);
  const validation =
    split < set.n
      ? ([
          tfjs.tensor(set.inputs.subarray(split * size), [set.n - split, ...set.inputShape]),
          tfjs.tensor(set.labels.subarray(split * labelSize), [set.n - split, ...set.labelShape]),
        ] as [tf.Tensor, tf.Tensor])
      : undefined;
  const random = augmentationRandom(PREVIEW_SEED);
  const augmented = new Float32Array(images.length);
  try {
    for (let epoch = 0; epoch < fit.epochs; epoch++) {
      augmentBatch(images, split, MNIST_SHAPE, fit.augmentation, random, augmented);
      const x = tfjs.tensor(augmented, [split, ...set.inputShape]);
      try {
        await model.fit(x, yTrain, {
          epochs: epoch + 1,
          initialEpoch: epoch,
          batchSize: fit.batchSize,
          shuffle: fit.shuffle,
          ...(validation ? { validationData: validation } : {}),
          callbacks: { onEpochEnd },
        });
      } finally {
        x.dispose();
      }
      if (model.stopTraining) break;
    }
  } finally {
    yTrain.dispose();
    if (validation) tfjs.dispose(validation);
  }
}
