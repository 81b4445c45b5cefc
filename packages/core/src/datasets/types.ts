/**
 * A set of examples the training harness can batch without materializing one big tensor.
 * MNIST copies rows; IMDB multi-hot writes ones into a zeroed row per review, so the
 * 25,000 × 10,000 matrix (1 GB as float32) never exists.
 */
export interface ExampleSet {
  /** Number of examples. */
  readonly n: number;
  /** Floats per example (784 for MNIST, the vocabulary size for multi-hot, the length for sequences). */
  readonly inputSize: number;
  /** Natural per-example shape, e.g. [28, 28, 1]; the harness reshapes to the model's input shape when sizes agree. */
  readonly naturalShape: readonly number[];
  /**
   * Writes the inputs of `indices` into `out` (row-major, `indices.length * inputSize` floats).
   * `out` may hold garbage on entry; implementations overwrite every element.
   */
  gatherInputs(indices: ArrayLike<number>, out: Float32Array): void;
  /**
   * Labels, one per example: class index for classification (Int32Array), target value for
   * regression (Float32Array). Absent for the hidden test split handed to a training child.
   */
  readonly labels?: Int32Array | Float32Array;
}

export type TaskType = "binary" | "multiclass" | "regression";

/** Facts about a dataset a student may see (step pages, exercise checks). */
export interface DatasetFacts {
  name: string;
  task: TaskType;
  /** 1 for binary and regression. */
  numClasses: number;
  naturalShape: readonly number[];
  trainSize: number;
  testSize: number;
  /** Fraction of each class in the training split (classification only). */
  classBalance?: number[];
}

/** What the grader trains and evaluates on. `test.labels` stays in the grader's parent process. */
export interface PreparedData {
  facts: DatasetFacts;
  train: ExampleSet;
  test: ExampleSet;
}
