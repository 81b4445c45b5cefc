import type { EpochMetrics, TrainingEvidence } from "../contracts/training";

/**
 * Everything the debugging checklist looks at. The grader fills it from a real run: `spec` from the
 * validated topology and compile settings, `history` from the TrainingReport, `predictions` from
 * `accuracyFromPredictions` on the evaluation split, `data` from the prepared training arrays,
 * `evidence` from the report's first-epoch gradient, update and saturation probes.
 */
export interface DiagnosticsInput {
  spec: {
    /** Activation of the output layer as written in the topology ("softmax", "sigmoid", "linear", "hard_sigmoid"…). */
    lastActivation: string;
    /** Units of the output layer. */
    outputUnits: number;
    /** Loss name as compiled (tf.js camelCase, e.g. "categoricalCrossentropy"). */
    loss: string;
    optimizer: string;
    learningRate: number;
    /** Layers with weights (Dense, Conv2D, Embedding, …), output layer included. */
    numLayers: number;
  };
  task: {
    kind: "binary" | "multiclass" | "regression";
    /** Classes of a classification task (2 for binary). */
    numClasses?: number;
    /** Examples the model trains on, for the "too deep for the data" rule. */
    trainExamples?: number;
  };
  history: readonly EpochMetrics[];
  predictions?: {
    /** Examples assigned to each class on the evaluation split. */
    predictedClassCounts: readonly number[];
    /** Std of the outputs across examples, averaged over output units. */
    outputStd: number;
  };
  data?: {
    /**
     * Smallest and largest input feature value over the training set (or a sample of its rows).
     * Absent when the inputs are indices rather than feature values (an Embedding's word ids).
     */
    inputMin?: number;
    inputMax?: number;
    /** Mean and std of the training targets (regression). */
    labelMean?: number;
    labelStd?: number;
    /** False when the training examples are ordered by label (e.g. all 0s, then all 1s). */
    shuffled: boolean;
  };
  /** The first epoch's per-layer gradients, update sizes and saturation (`TrainingReport.evidence`); absent in the browser preview. */
  evidence?: TrainingEvidence;
}
