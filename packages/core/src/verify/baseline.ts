import type { Check, MetricValue } from "../contracts/verdict";
import { binomialTestGreater, logBinomialTestGreater, minSuccessesToBeat, StatsInputError, wilsonInterval } from "./stats";
import { formatP, formatRate, formatRateOn, roundRate, splitStep } from "./format";

export interface DumbBaseline {
  /** The accuracy a model must beat: max(nominal, majorityRate). */
  value: number;
  nominal: number;
  /** Most frequent class of the evaluation split (lowest index on ties). */
  majorityClass: number;
  /** Share of the evaluation split that belongs to `majorityClass`. */
  majorityRate: number;
  /** Which of the two set the bar. */
  source: "nominal" | "majority-class";
}

/**
 * The dumb baseline is the stronger of the nominal one (0.1 for MNIST, 0.5 for IMDB) and "always
 * answer the most frequent class": MNIST's test split holds 1,135 ones in 10,000, so a constant "1"
 * scores 0.1135 and would otherwise beat 0.1 with p ≪ 0.01.
 */
export function dumbBaseline(input: { nominal: number; testLabels: ArrayLike<number>; numClasses: number }): DumbBaseline {
  const { nominal, testLabels, numClasses } = input;
  if (!(nominal >= 0 && nominal <= 1)) throw new StatsInputError(`nominal baseline must be in [0, 1], got ${nominal}`);
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new StatsInputError(`numClasses must be an integer ≥ 2, got ${numClasses}`);
  }
  if (testLabels.length === 0) throw new StatsInputError("the evaluation split must hold at least 1 label, got 0");
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < testLabels.length; i++) {
    const label = testLabels[i] ?? -1;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new StatsInputError(`label ${i} must be a class index in 0..${numClasses - 1}, got ${label}`);
    }
    counts[label] = (counts[label] ?? 0) + 1;
  }
  const majorityClass = argmax(counts);
  const majorityRate = (counts[majorityClass] ?? 0) / testLabels.length;
  const majorityWins = majorityRate > nominal;
  return {
    value: majorityWins ? majorityRate : nominal,
    nominal,
    majorityClass,
    majorityRate,
    source: majorityWins ? "majority-class" : "nominal",
  };
}

export interface BeatsBaselineResult {
  check: Check;
  /** Test accuracy with its Wilson 95 % interval. */
  metric: MetricValue;
  pValue: number;
  /** Correct answers out of `n` that would have been enough (n + 1 if none would). */
  neededCorrect: number;
}

/**
 * One-sided exact binomial test of "test accuracy > baseline" on the hidden test set.
 * The message is written for the student: accuracy, interval, baseline and p in one sentence.
 */
export function checkBeatsBaseline(input: { correct: number; n: number; baseline: number; alpha?: number }): BeatsBaselineResult {
  const { correct, n, baseline, alpha = 0.01 } = input;
  if (n < 1) throw new StatsInputError(`the test split must hold at least 1 example, got ${n}`);
  const pValue = binomialTestGreater(correct, n, baseline);
  const logP = logBinomialTestGreater(correct, n, baseline);
  const accuracy = correct / n;
  const interval = wilsonInterval(correct, n, 0.95);
  const passed = logP < Math.log(alpha);
  const neededCorrect = minSuccessesToBeat(n, baseline, alpha);
  const step = splitStep(n);
  if (step !== undefined) return coarseResult({ correct, n, baseline, alpha, pValue, passed, neededCorrect, step });
  const described = `Test accuracy ${formatRate(accuracy)} (95% CI ${formatRate(interval.lower)}–${formatRate(interval.upper)})`;
  const message = passed
    ? `${described} beats the baseline ${formatRate(baseline)} with ${formatP(pValue)}.`
    : `${described} does not beat the baseline ${formatRate(baseline)} convincingly (${formatP(pValue)}, needs p < ${alpha}). ` +
      (neededCorrect <= n
        ? `On ${n} test examples that takes at least ${neededCorrect} correct (accuracy ${formatRate(neededCorrect / n)}); you got ${correct}.`
        : `${n} test examples are too few to show it at this level.`);
  return {
    check: { id: "beats-baseline", passed, message, visibility: "always" },
    metric: { label: "Test accuracy", value: accuracy, interval },
    pValue,
    neededCorrect,
  };
}

/**
 * The same decision on a small hidden test split, reported only as finely as the split supports:
 * accuracy and its interval rounded to `step` (about three rows), the p-value to one significant
 * digit, and no count of correct answers — each of which would give the hidden labels away.
 */
function coarseResult(input: {
  correct: number;
  n: number;
  baseline: number;
  alpha: number;
  pValue: number;
  passed: boolean;
  neededCorrect: number;
  step: number;
}): BeatsBaselineResult {
  const { correct, n, baseline, alpha, passed, neededCorrect, step } = input;
  // The interval of the rounded accuracy, so that it says nothing the rounded accuracy does not.
  const accuracy = roundRate(correct / n, n);
  const interval = wilsonInterval(Math.min(n, Math.round(accuracy * n)), n, 0.95);
  const rounded = { lower: roundRate(interval.lower, n), upper: roundRate(interval.upper, n), level: interval.level };
  const fmt = (value: number) => formatRateOn(value, n);
  const described = `Test accuracy ${fmt(accuracy)} (95% CI ${fmt(interval.lower)}–${fmt(interval.upper)}; rounded to ${step} because the hidden test split has only ${n} rows)`;
  const message = passed
    ? `${described} beats the baseline ${formatRate(baseline)} (p < ${alpha}).`
    : `${described} does not beat the baseline ${formatRate(baseline)} convincingly (needs p < ${alpha}). ` +
      (neededCorrect <= n
        ? `On ${n} test rows that takes an accuracy of about ${fmt(neededCorrect / n)}.`
        : `${n} test rows are too few to show it at this level.`);
  return {
    check: { id: "beats-baseline", passed, message, visibility: "always" },
    metric: { label: `Test accuracy (rounded to ${step}: ${n} test rows)`, value: accuracy, interval: rounded },
    pValue: Number(input.pValue.toPrecision(1)),
    neededCorrect,
  };
}

export interface PredictionSummary {
  correct: number;
  n: number;
  accuracy: number;
  /** How many examples the model assigned to each class (length numClasses). */
  predictedClassCounts: number[];
  /**
   * Standard deviation of the model's outputs across examples, averaged over output units.
   * Near 0 means the model answers the same thing whatever the input.
   */
  outputStd: number;
}

/**
 * Accuracy of a model's outputs. `probs` is row-major `[n, width]`: width 1 is a single sigmoid
 * (threshold 0.5, labels 0/1), width = numClasses is a softmax (argmax, first index on ties).
 */
export function accuracyFromPredictions(probs: Float32Array, labels: Int32Array, numClasses: number): PredictionSummary {
  const n = labels.length;
  if (n === 0) throw new StatsInputError("accuracy needs at least 1 label, got 0");
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new StatsInputError(`numClasses must be an integer ≥ 2, got ${numClasses}`);
  }
  const width = probs.length / n;
  if (width !== 1 && width !== numClasses) {
    throw new StatsInputError(`predictions must have 1 or ${numClasses} values per example (${n} examples), got ${probs.length} values`);
  }
  if (width === 1 && numClasses !== 2) {
    throw new StatsInputError(`a single output unit can only answer 2 classes, got numClasses = ${numClasses}`);
  }
  const predictedClassCounts = new Array<number>(numClasses).fill(0);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let predicted: number;
    if (width === 1) {
      predicted = (probs[i] ?? 0) >= 0.5 ? 1 : 0;
    } else {
      predicted = 0;
      let best = -Infinity;
      for (let c = 0; c < width; c++) {
        const v = probs[i * width + c] ?? -Infinity;
        if (v > best) {
          best = v;
          predicted = c;
        }
      }
    }
    predictedClassCounts[predicted] = (predictedClassCounts[predicted] ?? 0) + 1;
    if (predicted === labels[i]) correct++;
  }
  return { correct, n, accuracy: correct / n, predictedClassCounts, outputStd: meanColumnStd(probs, n, width) };
}

function meanColumnStd(values: Float32Array, rows: number, width: number): number {
  let total = 0;
  for (let c = 0; c < width; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += values[r * width + c] ?? 0;
    mean /= rows;
    let variance = 0;
    for (let r = 0; r < rows; r++) variance += ((values[r * width + c] ?? 0) - mean) ** 2;
    total += Math.sqrt(variance / rows);
  }
  return total / width;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? 0) > (values[best] ?? 0)) best = i;
  return best;
}
