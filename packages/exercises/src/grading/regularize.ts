import type { ExerciseDefinition, MetricValue, SubmissionPayload, TrainingConfig, Verdict } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import { assembleVerdict, checkBeatsBaseline, compareRegularization, dumbBaseline, type GradedCheck } from "@stepwise/core/verify";
import { prepareTraining, type PreparedTraining } from "./prepare";
import type { TrainAndPredictResult } from "./run";
import { tally } from "./score";

/** Trains one prepared model (in-process or in a sandboxed child) and predicts the test inputs. */
export type TrainingRunner = (prepared: PreparedTraining, role: "before" | "after" | "final") => Promise<TrainAndPredictResult>;

export interface RegularizationInput {
  exercise: ExerciseDefinition;
  payload: SubmissionPayload;
  /** The student's own step-6 model (their latest passing submission), retrained on the same seeds. */
  previous: SubmissionPayload;
  testLabels: Int32Array;
  run: TrainingRunner;
}

/** The same model and settings with no validation split: the final model trains on train+validation. */
function onAllTrainingData(prepared: PreparedTraining): PreparedTraining {
  const training: TrainingConfig = { ...prepared.training, fit: { ...prepared.training.fit, validationSplit: 0 } };
  return { ...prepared, training };
}

/**
 * Step 7: the regularized model against the student's step-6 model, both retrained on the same seeds
 * and the same validation split, so the difference is the student's change. Then the final model is
 * trained on train+validation and evaluated once on the hidden test set.
 */
export async function gradeRegularization(input: RegularizationInput): Promise<Verdict | { stopped: TrainAndPredictResult }> {
  const { exercise } = input;
  const after = prepareTraining(exercise, input.payload, exercise.seed);
  let before: PreparedTraining;
  try {
    // The step-6 model is held to this exercise's budgets too: it is retrained here.
    before = prepareTraining(exercise, { ...input.previous, exerciseId: exercise.id }, exercise.seed);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(`Your step-6 model cannot be retrained for this comparison: ${error.message}`);
    throw error;
  }
  if (after.training.fit.validationSplit <= 0) {
    throw new ValidationError("Step 7 compares validation curves: set a validation split above 0 (e.g. 0.2).", "training.fit.validationSplit");
  }
  // Same split for both, so the gaps are measured on the same examples.
  before.training = { ...before.training, fit: { ...before.training.fit, validationSplit: after.training.fit.validationSplit } };

  const beforeRun = await input.run(before, "before");
  if (beforeRun.report.stopReason !== "completed" && beforeRun.report.stopReason !== "early_stopping") return { stopped: beforeRun };
  const afterRun = await input.run(after, "after");
  if (afterRun.report.stopReason !== "completed" && afterRun.report.stopReason !== "early_stopping") return { stopped: afterRun };
  const finalRun = await input.run(onAllTrainingData(after), "final");
  if (finalRun.report.stopReason !== "completed" && finalRun.report.stopReason !== "early_stopping") return { stopped: finalRun };

  const classes = Math.max(2, after.task.numClasses);
  const counts = tally(finalRun.predictions, input.testLabels, classes);
  const testAccuracy = counts.correct / counts.n;
  const comparison = compareRegularization({
    before: beforeRun.report.history,
    after: afterRun.report.history,
    metric: "accuracy",
    ...(exercise.target !== undefined ? { target: exercise.target, targetValue: testAccuracy } : {}),
  });
  const baseline = dumbBaseline({ nominal: exercise.baseline ?? 1 / classes, testLabels: input.testLabels, numClasses: classes });
  const beats = checkBeatsBaseline({ correct: counts.correct, n: counts.n, baseline: baseline.value });

  const checks: GradedCheck[] = [comparison.checks.smallerGap];
  if (comparison.checks.reachesTarget) checks.push(comparison.checks.reachesTarget);
  checks.push({ ...beats.check, required: false });
  const metrics: Record<string, MetricValue> = {
    testAccuracy: { ...beats.metric, label: "Test accuracy of the final model (trained on train+validation)" },
    gapBefore: { label: `Train/validation accuracy gap, step-6 model (epoch ${comparison.before.epoch})`, value: comparison.before.gap },
    gapAfter: { label: `Train/validation accuracy gap, this model (epoch ${comparison.after.epoch})`, value: comparison.after.gap },
    valAccuracyChange: { label: "Change in best validation accuracy", value: comparison.metricChange },
  };
  if (exercise.target !== undefined) metrics.target = { label: "Target test accuracy", value: exercise.target };
  const report = finalRun.report;
  return assembleVerdict({
    checks,
    metrics,
    // The curves shown are the regularized model's, with validation: the final run has none.
    history: afterRun.report.history,
    baseline: baseline.value,
    visibility: exercise.checkVisibility,
    environment: { backend: report.backend, tfjsVersion: report.tfjsVersion, seed: report.seed, durationMs: beforeRun.report.durationMs + afterRun.report.durationMs + report.durationMs },
  });
}
