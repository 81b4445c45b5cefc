import type { ExerciseDefinition, MetricValue, SubmissionPayload, TrainingConfig, Verdict } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";
import {
  assembleVerdict,
  checkBeatsBaseline,
  checkReachesTarget,
  compareRegularization,
  dumbBaseline,
  gapMetricFor,
  type GradedCheck,
} from "@stepwise/core/verify";
import { stepTarget } from "../targets";
import { formatTarget, kfoldMetrics, positiveClassMetrics, tally } from "./evaluate";
import { prepareTraining, type PrepareOptions, type PreparedTraining } from "./prepare";
import { checkBeatsMeanBaseline } from "./regression";
import type { TrainAndPredictResult } from "./run";
import { chosenFor, diagnoseRun, positiveName, trainMeanOf, type ScoreData } from "./score";
import { finalEpochs, toolboxMetrics } from "./toolbox-verdict";

/** Trains one prepared model (in-process or in a sandboxed child) and predicts the test inputs. */
export type TrainingRunner = (prepared: PreparedTraining, role: "before" | "after" | "final") => Promise<TrainAndPredictResult>;

export interface RegularizationInput {
  exercise: ExerciseDefinition;
  payload: SubmissionPayload;
  /** The student's own step-6 model (their latest passing submission), retrained on the same seeds. */
  previous: SubmissionPayload;
  /** The student's step-7 model, prepared once for the whole grading (with the data's facts). */
  prepared: PreparedTraining;
  testLabels: Int32Array | Float32Array;
  run: TrainingRunner;
  /** Facts of a CSV dataset (input width, classes), as `prepareTraining` takes them. */
  prepare?: PrepareOptions;
  data?: ScoreData;
}

/**
 * The same model and settings with no validation at all: the final model trains on train+validation.
 * Early stopping has nothing to watch there, so it is dropped and the model trains for `epochs`:
 * the epoch the comparison run stopped at (its best epoch when it restored the best weights).
 */
function onAllTrainingData(prepared: PreparedTraining, epochs: number): PreparedTraining {
  const { validation: _protocol, ...rest } = prepared.training;
  const { earlyStopping: _stopping, ...fit } = prepared.training.fit;
  const training: TrainingConfig = { ...rest, fit: { ...fit, validationSplit: 0, epochs } };
  return { ...prepared, training };
}

/** Step 7's target in step 2's metric, when the exercise states one for it and the final model's value was measured. */
function metricTarget(
  exercise: ExerciseDefinition,
  metric: ScoreData["metric"],
  values: Record<string, MetricValue>,
): { value: number; target: number; what: string } | undefined {
  const target = stepTarget(exercise, metric);
  const measured = target?.chosen && target.metric !== "accuracy" && target.metric !== "mae" ? values[target.key] : undefined;
  if (!target || !measured) return undefined;
  return { value: measured.value, target: target.value, what: `${target.name} of the final model` };
}

/**
 * The epoch whose weights a comparison run's model ends with, which step 7's gap check reads: the
 * epochs the final model trains for (the restored best epoch or the stop with early stopping, else
 * every epoch), within the run's history.
 */
function endEpoch(training: TrainingConfig, run: TrainAndPredictResult): number {
  return Math.min(finalEpochs(training, run.report), run.report.history.length);
}

const finished = (run: TrainAndPredictResult) => run.report.stopReason === "completed" || run.report.stopReason === "early_stopping";

/**
 * Step 7: the regularized model against the student's step-6 model, both retrained on the same seeds
 * and the same validation split, so the difference is the student's change. Then the final model is
 * trained on train+validation and evaluated once on the hidden test set.
 */
export async function gradeRegularization(input: RegularizationInput): Promise<Verdict | { stopped: TrainAndPredictResult }> {
  const { exercise } = input;
  const after = input.prepared;
  let before: PreparedTraining;
  try {
    // The step-6 model is held to this exercise's budgets too: it is retrained here.
    before = prepareTraining(exercise, { ...input.previous, exerciseId: exercise.id }, exercise.seed, input.prepare);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(`Your step-6 model cannot be retrained for this comparison: ${error.message}`);
    throw error;
  }
  const kfold = after.training.validation?.kind === "kfold";
  if (!kfold && after.training.fit.validationSplit <= 0) {
    throw new ValidationError(
      "Step 7 compares validation curves: set a validation split above 0 (e.g. 0.2).",
      "training.fit.validationSplit",
    );
  }
  // Same protocol and split for both, so the gaps are measured on the same examples.
  const { validation: _own, ...beforeTraining } = before.training;
  before.training = {
    ...beforeTraining,
    fit: { ...before.training.fit, validationSplit: after.training.fit.validationSplit },
    ...(after.training.validation ? { validation: after.training.validation } : {}),
  };

  const beforeRun = await input.run(before, "before");
  if (!finished(beforeRun)) return { stopped: beforeRun };
  const afterRun = await input.run(after, "after");
  if (!finished(afterRun)) return { stopped: afterRun };
  // A K-fold run already ends with the model trained on all training data and its test predictions.
  const finalRun = kfold ? afterRun : await input.run(onAllTrainingData(after, finalEpochs(after.training, afterRun.report)), "final");
  if (!finished(finalRun)) return { stopped: finalRun };
  const durationMs = beforeRun.report.durationMs + afterRun.report.durationMs + (kfold ? 0 : finalRun.report.durationMs);
  const report = finalRun.report;
  const environment = { backend: report.backend, tfjsVersion: report.tfjsVersion, seed: report.seed, durationMs };
  // K-fold's per-fold metrics, and the toolbox techniques used with what they did (epochs, augmentation bounds).
  const reported = {
    ...(afterRun.report.kfold ? kfoldMetrics(afterRun.report.kfold) : {}),
    ...toolboxMetrics(after.training, afterRun.report),
  };
  // The debugging checklist on the regularized model as graded: its comparison curves, the final
  // model's test predictions, the training data as step 4 prepared it (unscaled inputs show here).
  const diagnose = (predictedClassCounts?: number[]) =>
    diagnoseRun(
      { prepared: after, report: afterRun.report, outputStd: finalRun.outputStd, ...(input.data ? { data: input.data } : {}) },
      predictedClassCounts,
    );
  const compared = {
    before: beforeRun.report.history,
    after: afterRun.report.history,
    beforeEndEpoch: endEpoch(before.training, beforeRun),
    afterEndEpoch: endEpoch(after.training, afterRun),
  };

  if (after.task.kind === "regression") {
    // Regression compares losses (lower is better); the target is a test MAE in the target's unit.
    const comparison = compareRegularization({ ...compared, metric: gapMetricFor(after.task).metric, minEffect: exercise.minEffect });
    const beats = checkBeatsMeanBaseline({
      predictions: finalRun.predictions,
      labels: input.testLabels,
      trainMean: trainMeanOf(input.data),
    });
    const checks: GradedCheck[] = [comparison.checks.smallerGap];
    if (exercise.target !== undefined) {
      checks.push(
        checkReachesTarget({ value: beats.mae.value, target: exercise.target, higherIsBetter: false, what: "Test MAE of the final model" }),
      );
    }
    checks.push({ ...beats.check, required: false });
    const metrics: Record<string, MetricValue> = {
      testMae: { ...beats.mae, label: "Test MAE of the final model (trained on train+validation), target's unit" },
      baselineMae: { label: "Baseline MAE (always the training mean)", value: beats.baselineMae },
      gapBefore: {
        label: `Validation − training loss gap where training ends, step-6 model (epoch ${comparison.beforeGap.epoch})`,
        value: comparison.beforeGap.gap,
      },
      gapAfter: {
        label: `Validation − training loss gap where training ends, this model (epoch ${comparison.afterGap.epoch})`,
        value: comparison.afterGap.gap,
      },
      valLossChange: { label: "Change in best validation loss", value: comparison.metricChange },
      ...reported,
    };
    if (exercise.target !== undefined)
      metrics.target = { label: `Target test MAE (at most ${formatTarget(exercise.target)})`, value: exercise.target };
    return assembleVerdict({
      checks,
      metrics,
      history: afterRun.report.history,
      diagnostics: diagnose(),
      visibility: exercise.checkVisibility,
      environment,
    });
  }

  const classes = Math.max(2, after.task.numClasses);
  const counts = tally(finalRun.predictions, input.testLabels, classes);
  const testAccuracy = counts.correct / counts.n;
  const baseline = dumbBaseline({ nominal: exercise.baseline ?? 1 / classes, testLabels: input.testLabels, numClasses: classes });
  const gap = gapMetricFor({ kind: after.task.kind, majorityRate: baseline.majorityRate });
  const comparison = compareRegularization({
    ...compared,
    metric: gap.metric,
    minEffect: exercise.minEffect,
    ...(gap.reason !== undefined ? { gapReason: gap.reason } : {}),
  });
  const beats = checkBeatsBaseline({ correct: counts.correct, n: counts.n, baseline: baseline.value });

  const checks: GradedCheck[] = [comparison.checks.smallerGap];
  const chosen = chosenFor(
    {
      prepared: after,
      predictions: finalRun.predictions,
      ...(finalRun.scores ? { scores: finalRun.scores } : {}),
      testLabels: input.testLabels,
      ...(input.data ? { data: input.data } : {}),
    },
    " of the final model",
  );
  const inMetric = metricTarget(exercise, input.data?.metric, chosen.metrics);
  // The target is on test accuracy whichever gap was compared — or, in a guided course, on the metric chosen in step 2.
  if (inMetric)
    checks.push(checkReachesTarget({ value: inMetric.value, target: inMetric.target, higherIsBetter: true, what: inMetric.what }));
  else if (exercise.target !== undefined)
    checks.push(checkReachesTarget({ value: testAccuracy, target: exercise.target, higherIsBetter: true, what: "Test accuracy" }));
  checks.push({ ...beats.check, required: false });
  const gapName = gap.metric === "accuracy" ? "Train/validation accuracy gap" : "Validation − training loss gap";
  const metrics: Record<string, MetricValue> = {
    testAccuracy: { ...beats.metric, label: "Test accuracy of the final model (trained on train+validation)" },
    gapBefore: {
      label: `${gapName} where training ends, step-6 model (epoch ${comparison.beforeGap.epoch})`,
      value: comparison.beforeGap.gap,
    },
    gapAfter: { label: `${gapName} where training ends, this model (epoch ${comparison.afterGap.epoch})`, value: comparison.afterGap.gap },
    ...(gap.metric === "accuracy"
      ? { valAccuracyChange: { label: "Change in best validation accuracy", value: comparison.metricChange } }
      : { valLossChange: { label: "Change in best validation loss", value: comparison.metricChange } }),
    ...(after.task.kind === "binary" ? positiveClassMetrics(finalRun.predictions, input.testLabels, positiveName(input.data)) : {}),
    ...chosen.metrics,
    ...reported,
  };
  if (inMetric) metrics.target = { label: `Target: ${inMetric.what.toLowerCase()} (your metric, step 2)`, value: inMetric.target };
  else if (exercise.target !== undefined) metrics.target = { label: "Target test accuracy", value: exercise.target };
  return assembleVerdict({
    checks,
    metrics,
    // The curves shown are the regularized model's, with validation: the final run has none.
    history: afterRun.report.history,
    baseline: baseline.value,
    diagnostics: diagnose(counts.predictedClassCounts),
    visibility: exercise.checkVisibility,
    environment,
  });
}
