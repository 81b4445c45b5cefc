import type { Diagnostic, ExerciseDefinition, MetricValue, SubmissionPayload, TrainingReport, Verdict } from "@stepwise/core/contracts";
import { assembleVerdict, checkBeatsBaseline, checkClaim, diagnose, dumbBaseline, reproducedMetric, type GradedCheck } from "@stepwise/core/verify";
import type { PreparedTraining } from "./prepare";

export interface ScoreInput {
  exercise: ExerciseDefinition;
  prepared: PreparedTraining;
  payload: SubmissionPayload;
  report: TrainingReport;
  /** Predicted class per test example, from the training child. */
  predictions: readonly number[];
  /** Spread of the model's raw outputs over the test inputs. */
  outputStd: number;
  /** Hidden labels, loaded in the grader's parent process only. */
  testLabels: Int32Array;
}

/** Counts correct answers and how often each class was predicted. */
export function tally(predictions: readonly number[], labels: Int32Array, classes: number) {
  if (predictions.length !== labels.length) {
    throw new Error(`expected ${labels.length} test predictions, got ${predictions.length}`);
  }
  const predictedClassCounts = new Array<number>(classes).fill(0);
  let correct = 0;
  predictions.forEach((p, i) => {
    if (p === labels[i]) correct += 1;
    if (Number.isInteger(p) && p >= 0 && p < classes) predictedClassCounts[p] = (predictedClassCounts[p] ?? 0) + 1;
  });
  return { correct, n: labels.length, predictedClassCounts };
}

/** The facts of the submitted model the debugging checklist looks at, read from the validated topology. */
export function specFacts(prepared: PreparedTraining) {
  const layers = prepared.summary.layers;
  const last = layers.at(-1);
  const outputShape = prepared.summary.outputShape;
  const config = lastLayerConfig(prepared.topology);
  const activation = typeof config?.activation === "string" ? config.activation : "linear";
  return {
    lastActivation: last?.className === "Activation" || activation ? activation : "linear",
    outputUnits: Number(outputShape.at(-1) ?? 1),
    loss: prepared.training.compile.loss,
    optimizer: prepared.training.compile.optimizer,
    learningRate: prepared.training.compile.learningRate,
    numLayers: layers.filter((l) => l.params > 0).length,
  };
}

function lastLayerConfig(topology: Record<string, unknown>): Record<string, unknown> | undefined {
  const config = topology.config as { layers?: unknown } | undefined;
  const layers = Array.isArray(config?.layers) ? (config.layers as { config?: Record<string, unknown> }[]) : [];
  return layers.at(-1)?.config;
}

/** The verdict of a classification training step (step 5 today): beat the dumb baseline on hidden test data. */
export function scoreTraining(input: ScoreInput): Verdict {
  const { exercise, prepared, report } = input;
  const classes = Math.max(2, prepared.task.numClasses);
  const baseline = dumbBaseline({ nominal: exercise.baseline ?? 1 / classes, testLabels: input.testLabels, numClasses: classes });
  const counts = tally(input.predictions, input.testLabels, classes);
  const beats = checkBeatsBaseline({ correct: counts.correct, n: counts.n, baseline: baseline.value });

  const checks: GradedCheck[] = [beats.check];
  if (input.payload.claimed) {
    const reproduced = reproducedMetric(report.history, input.payload.claimed.metric);
    if (reproduced !== undefined) checks.push({ ...checkClaim({ claimed: input.payload.claimed, reproduced }), required: false });
  }
  const metrics: Record<string, MetricValue> = {
    testAccuracy: beats.metric,
    baseline: { label: baseline.source === "majority-class" ? "Baseline (majority class)" : "Baseline", value: baseline.value },
    pValue: { label: "p-value (one-sided binomial)", value: beats.pValue },
  };
  const last = report.history.at(-1);
  if (last?.valAccuracy !== undefined) metrics.valAccuracy = { label: "Validation accuracy (last epoch)", value: last.valAccuracy };

  const diagnostics: Diagnostic[] = diagnose({
    spec: specFacts(prepared),
    task: { kind: prepared.task.kind, numClasses: classes },
    history: report.history,
    predictions: { predictedClassCounts: counts.predictedClassCounts, outputStd: input.outputStd },
  });

  return assembleVerdict({
    checks,
    metrics,
    history: report.history,
    baseline: baseline.value,
    diagnostics,
    visibility: exercise.checkVisibility,
    summary: beats.check.message,
    environment: { backend: report.backend, tfjsVersion: report.tfjsVersion, seed: report.seed, durationMs: report.durationMs },
  });
}
