import { ValidationError } from "../contracts/errors";
import type { LossName } from "../contracts/training";
import type { ExampleSet } from "../datasets/types";

export interface Task {
  kind: "multiclass" | "binary" | "regression";
  /** Classes for multiclass; 1 for binary and regression. */
  numClasses: number;
}

/**
 * Classes a softmax head must answer: a binary task has two (Keras' common `Dense(2, softmax)`
 * idiom), whatever `numClasses` says about its single-sigmoid form.
 */
export const softmaxClasses = (task: Task): number => (task.kind === "binary" ? 2 : task.numClasses);

/** How labels of one example become floats for the loss. */
export interface LabelEncoding {
  /** Floats per example in the label tensor. */
  width: number;
  /** Writes the labels of `indices` into `out` (`indices.length * width` floats). */
  fill(labels: Int32Array | Float32Array, indices: ArrayLike<number>, out: Float32Array): void;
}

/**
 * Picks the label encoding from the loss, and checks that the last layer fits the task:
 * a 10-unit softmax cannot learn a binary target, a 1-unit sigmoid cannot learn 10 classes.
 */
export function labelEncoding(loss: LossName, task: Task, outputUnits: number): LabelEncoding {
  const expectUnits = (units: number, why: string): void => {
    if (outputUnits !== units) {
      throw new ValidationError(`the last layer has ${outputUnits} units; ${why} needs ${units}`, "config.layers");
    }
  };
  switch (loss) {
    case "categoricalCrossentropy": {
      if (task.kind === "regression")
        throw new ValidationError("categoricalCrossentropy is a classification loss; this task is regression");
      const classes = softmaxClasses(task);
      expectUnits(classes, `categoricalCrossentropy with ${classes} classes`);
      return {
        width: classes,
        fill(labels, indices, out) {
          out.fill(0, 0, indices.length * classes);
          for (let i = 0; i < indices.length; i++) out[i * classes + (labels[indices[i] ?? 0] ?? 0)] = 1;
        },
      };
    }
    case "sparseCategoricalCrossentropy": {
      if (task.kind === "regression")
        throw new ValidationError("sparseCategoricalCrossentropy is a classification loss; this task is regression");
      const classes = softmaxClasses(task);
      expectUnits(classes, `sparseCategoricalCrossentropy with ${classes} classes`);
      return { width: 1, fill: copy };
    }
    case "binaryCrossentropy":
      if (task.kind !== "binary") throw new ValidationError(`binaryCrossentropy needs a binary task; this one is ${task.kind}`);
      expectUnits(1, "binaryCrossentropy");
      return { width: 1, fill: copy };
    case "meanSquaredError":
    case "meanAbsoluteError":
      expectUnits(1, `${loss} on one target`);
      return { width: 1, fill: copy };
  }
}

function copy(labels: Int32Array | Float32Array, indices: ArrayLike<number>, out: Float32Array): void {
  for (let i = 0; i < indices.length; i++) out[i] = labels[indices[i] ?? 0] ?? 0;
}

export function requireLabels(set: ExampleSet, what: string): Int32Array | Float32Array {
  if (!set.labels) throw new ValidationError(`the ${what} set has no labels`);
  if (set.labels.length !== set.n) throw new ValidationError(`the ${what} set has ${set.n} examples but ${set.labels.length} labels`);
  return set.labels;
}
