import type { ExerciseDefinition, SubmissionPayload, TrainingConfig } from "@stepwise/core/contracts";
import { DEFAULT_TRAIN_LIMIT, defaultTrainLimit, learningCurveWork, type ExperimentName } from "@stepwise/exercises/experiments";
import { prepareTraining } from "@stepwise/exercises/prepare";

/** Starting a training child, loading the data and building models: paid by every run whatever the model. */
export const RUN_OVERHEAD_SECONDS = 3;
/** Grader throughput assumed when no grader has published one and the configuration has none (GRADER_EFFECTIVE_GFLOPS's default). */
export const DEFAULT_GFLOPS = 8;

/**
 * Examples one run pushes through the model (forward and backward), as each experiment trains: the
 * same epochs, subsets and step counts the experiments use, on their default slice of the training
 * split. An estimate to charge the budget before the run; the measured time replaces it after.
 */
export function experimentExamples(name: ExperimentName, training: TrainingConfig, examples = DEFAULT_TRAIN_LIMIT): number {
  const { epochs, batchSize, validationSplit } = training.fit;
  switch (name) {
    case "tiny-subset":
      return 100 * 60;
    case "shuffled-labels":
      return examples * Math.max(epochs, 10);
    case "label-as-input":
      return examples * Math.max(epochs, 30);
    case "one-feature":
      return examples * Math.min(epochs, 10);
    case "output-histogram":
      return examples * (Math.min(epochs, 2) + 1);
    case "loss-per-batch":
      return Math.max(Math.round(examples * (1 - validationSplit)), 100 * batchSize);
    case "lr-range-test":
      return 200 * batchSize;
    case "learning-curve":
      // Four models on 10–100% of the examples, each as many steps as the full one, validated every epoch.
      return learningCurveWork(training, examples);
    case "data-shuffled":
    case "label-scale":
      // No training: batch composition, or one forward pass over a thousand examples.
      return 0;
  }
}

/**
 * Estimated grader seconds of one run of `name` on this submission's model: its training
 * multiply-adds over the grader's throughput, plus the fixed cost of a run. A model that no longer
 * parses costs the overhead only (the grader turns it away at once).
 */
export function estimateExperimentSeconds(
  name: ExperimentName,
  exercise: ExerciseDefinition,
  payload: SubmissionPayload,
  gflops = DEFAULT_GFLOPS,
): number {
  if (exercise.kind !== "training" || !payload.training) return RUN_OVERHEAD_SECONDS;
  let prepared: ReturnType<typeof prepareTraining>;
  try {
    prepared = prepareTraining(exercise, payload, exercise.seed);
  } catch {
    return RUN_OVERHEAD_SECONDS;
  }
  // The learning curve's slice grows with what the model can afford (defaultTrainLimit), as the grader picks it.
  const examples = name === "learning-curve" ? defaultTrainLimit(name, prepared) : DEFAULT_TRAIN_LIMIT;
  const work = prepared.summary.trainingFlopsPerExample * experimentExamples(name, payload.training, examples);
  return RUN_OVERHEAD_SECONDS + work / (Math.max(gflops, 1e-3) * 1e9);
}
