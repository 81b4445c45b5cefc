import type {
  Diagnostic,
  ExerciseDefinition,
  MetricValue,
  ProjectMetric,
  SubmissionPayload,
  TrainingReport,
  Verdict,
} from "@stepwise/core/contracts";
import {
  assembleVerdict,
  checkBeatsBaseline,
  checkClaim,
  diagnose,
  DIAGNOSTIC_RULES,
  dumbBaseline,
  labelsNeedScaling,
  reproducedMetric,
  type DiagnosticsInput,
  type GradedCheck,
} from "@stepwise/core/verify";
import { kfoldMetrics, kfoldSentence, positiveClassMetrics, tally } from "./evaluate";
import type { PreparedTraining } from "./prepare";
import { chosenMetricValues } from "./metric-choice";
import { checkBeatsMeanBaseline } from "./regression";

export interface ScoreInput {
  exercise: ExerciseDefinition;
  prepared: PreparedTraining;
  payload: SubmissionPayload;
  report: TrainingReport;
  /** Predicted class (or value, in the target's unit, for regression) per test example, from the training child. */
  predictions: readonly number[];
  /** Spread of the model's raw outputs over the test inputs. */
  outputStd: number;
  /** Binary tasks: class 1's score per test example (ROC AUC). */
  scores?: readonly number[];
  /** Hidden labels (class index, or target value), loaded in the grader's parent process only. */
  testLabels: Int32Array | Float32Array;
  /** What the data says beyond its labels: the target's training mean (regression), class names (CSV). */
  data?: ScoreData;
}

/** What the data rules of the checklist read, plus the number of examples the model trains on. */
export type TrainingDataSummary = NonNullable<DiagnosticsInput["data"]> & { examples: number };

export interface ScoreData {
  /** Regression: mean of the training targets, the dumb baseline's prediction. */
  trainMean?: number;
  /** Classification on a CSV: class names in label order, and the target column. */
  classes?: string[];
  target?: string;
  /** The training examples as the model is fed them (`trainingDataSummary`), for the data rules of the checklist. */
  training?: TrainingDataSummary;
  /** Guided courses: step 2's metric, reported first (and what it hides beside it). */
  metric?: ProjectMetric;
}

/** Step 2's metric computed on a run's test predictions, for the scorers (`chosenMetricValues`). */
export function chosenFor(input: Pick<ScoreInput, "prepared" | "predictions" | "scores" | "testLabels" | "data">, of?: string) {
  return chosenMetricValues({
    metric: input.data?.metric,
    task: input.prepared.task,
    predictions: input.predictions,
    ...(input.scores ? { scores: input.scores } : {}),
    testLabels: input.testLabels,
    ...(input.data?.classes ? { classNames: input.data.classes } : {}),
    ...(input.data?.target ? { target: input.data.target } : {}),
    ...(of !== undefined ? { of } : {}),
  });
}

/** "default = 1": the positive class of a binary task, named as the data names it. */
export function positiveName(data: ScoreData | undefined): string {
  const name = data?.classes?.[1];
  return name !== undefined && data?.target ? `${data.target} = ${name}` : "class 1";
}

/** The regression baseline needs the training mean: a grader fault (not the student's) when it is missing. */
export function trainMeanOf(data: ScoreData | undefined): number {
  if (data?.trainMean === undefined) throw new Error("scoring a regression needs the training mean of the target");
  return data.trainMean;
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

/**
 * The checklist a graded run is held to. `labels-need-scaling` is left out: the grader standardizes
 * every regression target with training statistics before the model sees it (and maps predictions
 * back), so the targets a graded model fits always have std 1 and the rule could never fire; the
 * browser preview and the label-scale experiment, which see raw targets, keep it.
 */
export const GRADING_RULES = DIAGNOSTIC_RULES.filter((rule) => rule !== labelsNeedScaling);

/**
 * Diagnostics of the debugging checklist, from the spec, the curves, the test predictions (absent
 * when training stopped before predicting) and the training data as the model was fed it.
 */
export function diagnoseRun(
  input: Pick<ScoreInput, "prepared" | "report" | "data"> & { outputStd?: number },
  predictedClassCounts?: number[],
): Diagnostic[] {
  const { prepared, report } = input;
  const training = input.data?.training;
  const trainExamples = training ? Math.round(training.examples * (1 - prepared.training.fit.validationSplit)) : undefined;
  return diagnose(
    {
      spec: specFacts(prepared),
      task: {
        kind: prepared.task.kind,
        numClasses: Math.max(2, prepared.task.numClasses),
        ...(trainExamples !== undefined ? { trainExamples } : {}),
      },
      history: report.history,
      ...(predictedClassCounts && input.outputStd !== undefined
        ? { predictions: { predictedClassCounts, outputStd: input.outputStd } }
        : {}),
      ...(training ? { data: training } : {}),
      ...(report.evidence ? { evidence: report.evidence } : {}),
    },
    GRADING_RULES,
  );
}

/**
 * The claim (informational) and the K-fold metrics, shared by every training verdict. A claim made
 * on the same data and settings is checked; a browser preview's number is shown beside the
 * grader's as what it is, a preview on a subset, never as a failed claim.
 */
function extras(input: ScoreInput): { checks: GradedCheck[]; metrics: Record<string, MetricValue>; kfold: string } {
  const { report } = input;
  const checks: GradedCheck[] = [];
  const metrics: Record<string, MetricValue> = report.kfold ? kfoldMetrics(report.kfold) : {};
  const claimed = input.payload.claimed;
  if (claimed?.source === "full") {
    const reproduced = reproducedMetric(report.history, claimed.metric);
    if (reproduced !== undefined) checks.push({ ...checkClaim({ claimed, reproduced }), required: false });
  } else if (claimed) {
    const name = claimed.metric === "valAccuracy" ? "validation accuracy" : "validation loss";
    const on = claimed.examples === undefined ? "a subset" : `${claimed.examples.toLocaleString("en-US")} examples`;
    metrics.preview = { label: `Your browser preview's ${name}, on ${on} (a preview, not graded)`, value: claimed.value };
  }
  return { checks, metrics, kfold: report.kfold ? ` ${kfoldSentence(report.kfold)}` : "" };
}

/**
 * The checklist's first questions — is the last layer's activation right for the task, is the loss —
 * decide instead of advising: a model built for another task fails step 5 even where it happens to beat
 * the baseline (a sigmoid squeezing standardized house prices, mean squared error on yes/no classes),
 * because the step teaches building the right model, and the message names what to change.
 */
const WRONG_FOR_THE_TASK: ReadonlySet<string> = new Set([
  "softmax-binary-crossentropy",
  "sigmoid-multiclass",
  "squashing-regression-output",
  "softmax-single-unit",
  "loss-task-mismatch",
]);

/** A failed required check when the model's head or loss is wrong for the task; nothing otherwise (right models' verdicts are unchanged). */
export function checkFitsTheTask(diagnostics: readonly Diagnostic[]): GradedCheck | undefined {
  const wrong = diagnostics.filter((d) => WRONG_FOR_THE_TASK.has(d.code));
  if (wrong.length === 0) return undefined;
  const message = wrong.map((d) => [d.message, d.hint].filter(Boolean).join(" ")).join(" ");
  return { id: "fits-the-task", passed: false, required: true, visibility: "always", message: `Not a model for this task: ${message}` };
}

/**
 * Step 5: beat the dumb baseline on the hidden test data. Classification: a one-sided binomial test
 * of test accuracy against the stronger of the nominal baseline and the majority-class rate; a binary
 * task also reports precision, recall and F1 of its positive class, which accuracy hides when that
 * class is rare. Regression: a paired test of the test MAE against predicting the training mean.
 */
export function scoreTraining(input: ScoreInput): Verdict {
  const { exercise, prepared, report } = input;
  const extra = extras(input);
  const environment = { backend: report.backend, tfjsVersion: report.tfjsVersion, seed: report.seed, durationMs: report.durationMs };
  if (prepared.task.kind === "regression") {
    const beats = checkBeatsMeanBaseline({ predictions: input.predictions, labels: input.testLabels, trainMean: trainMeanOf(input.data) });
    const diagnostics = diagnoseRun(input, []);
    const fits = checkFitsTheTask(diagnostics);
    return assembleVerdict({
      checks: [...(fits ? [fits] : []), beats.check, ...extra.checks],
      metrics: {
        testMae: beats.mae,
        baselineMae: { label: "Baseline MAE (always the training mean)", value: beats.baselineMae },
        pValue: { label: "p-value (paired one-sided t test on absolute errors)", value: beats.pValue },
        ...extra.metrics,
      },
      history: report.history,
      diagnostics,
      visibility: exercise.checkVisibility,
      summary: `${fits ? `${fits.message} ` : ""}${beats.check.message}${extra.kfold}`,
      environment,
    });
  }

  const classes = Math.max(2, prepared.task.numClasses);
  const baseline = dumbBaseline({ nominal: exercise.baseline ?? 1 / classes, testLabels: input.testLabels, numClasses: classes });
  const counts = tally(input.predictions, input.testLabels, classes);
  const beats = checkBeatsBaseline({ correct: counts.correct, n: counts.n, baseline: baseline.value });
  const chosen = chosenFor(input);
  const metrics: Record<string, MetricValue> = {
    testAccuracy: beats.metric,
    baseline: { label: baseline.source === "majority-class" ? "Baseline (majority class)" : "Baseline", value: baseline.value },
    pValue: { label: "p-value (one-sided binomial)", value: beats.pValue },
    ...(prepared.task.kind === "binary" ? positiveClassMetrics(input.predictions, input.testLabels, positiveName(input.data)) : {}),
    ...chosen.metrics,
    ...extra.metrics,
  };
  const last = report.history.at(-1);
  if (last?.valAccuracy !== undefined) metrics.valAccuracy = { label: "Validation accuracy (last epoch)", value: last.valAccuracy };

  const diagnostics = diagnoseRun(input, counts.predictedClassCounts);
  const fits = checkFitsTheTask(diagnostics);
  return assembleVerdict({
    checks: [...(fits ? [fits] : []), beats.check, ...extra.checks],
    metrics,
    history: report.history,
    baseline: baseline.value,
    diagnostics,
    visibility: exercise.checkVisibility,
    summary: `${fits ? `${fits.message} ` : ""}${beats.check.message}${extra.kfold}${chosen.note ? ` ${chosen.note}` : ""}`,
    environment,
  });
}
