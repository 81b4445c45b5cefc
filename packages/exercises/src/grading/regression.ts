import type { Check, MetricValue } from "@stepwise/core/contracts";
import { formatP, StatsInputError, studentTCdf, studentTQuantile } from "@stepwise/core/verify";
import { formatTarget as money } from "./evaluate";

export interface MaeBaselineResult {
  check: Check;
  /** Test MAE with its 95 % t-interval, in the target's unit. */
  mae: MetricValue;
  /** MAE of always predicting the training mean, on the same test rows. */
  baselineMae: number;
  pValue: number;
}

/** Mean absolute error of `predictions` against `labels`. */
export function meanAbsoluteError(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predictions.length !== labels.length || labels.length === 0) {
    throw new StatsInputError(`MAE needs as many predictions as labels (≥ 1), got ${predictions.length} and ${labels.length}`);
  }
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += Math.abs((labels[i] ?? 0) - (predictions[i] ?? 0));
  return sum / labels.length;
}

function meanAndSd(values: Float64Array): { mean: number; sd: number } {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, sd: values.length > 1 ? Math.sqrt(sq / (values.length - 1)) : 0 };
}

/**
 * "Beats the baseline" for regression. The dumb baseline predicts the training mean for every row;
 * its MAE on the hidden test rows is the bar. The test is paired, on the same rows: with
 * dᵢ = |yᵢ − ȳ_train| − |yᵢ − ŷᵢ| (how much closer the model is than the baseline on row i), a
 * one-sided Student t test of mean(d) > 0 — the Diebold–Mariano test with absolute-error loss.
 * Pairing removes the variation between rows that both predictors share, which an unpaired
 * comparison of two MAEs would count as noise. Test rows are i.i.d. draws, so the mean of d is
 * asymptotically normal; with the few hundred rows of a test split the t distribution is accurate
 * even for skewed errors. Passed when p < alpha (0.01, as for the binomial test of classifiers).
 */
export function checkBeatsMeanBaseline(input: {
  predictions: ArrayLike<number>;
  labels: ArrayLike<number>;
  trainMean: number;
  alpha?: number;
}): MaeBaselineResult {
  const { predictions, labels, trainMean, alpha = 0.01 } = input;
  const n = labels.length;
  if (n < 2 || predictions.length !== n) {
    throw new StatsInputError(
      `the MAE test needs at least 2 test rows and one prediction per row, got ${n} rows and ${predictions.length} predictions`,
    );
  }
  const errors = new Float64Array(n);
  const gains = new Float64Array(n);
  let baselineSum = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i] ?? 0;
    const prediction = predictions[i] ?? Number.NaN;
    const error = Math.abs(y - prediction);
    errors[i] = error;
    baselineSum += Math.abs(y - trainMean);
    gains[i] = Math.abs(y - trainMean) - error;
  }
  const baselineMae = baselineSum / n;
  const error = meanAndSd(errors);
  const gain = meanAndSd(gains);
  const df = n - 1;
  const t = gain.sd > 0 ? gain.mean / (gain.sd / Math.sqrt(n)) : gain.mean > 0 ? Infinity : gain.mean < 0 ? -Infinity : 0;
  const pValue = Number.isNaN(t) ? 1 : 1 - studentTCdf(t, df);
  const half = studentTQuantile(0.975, df) * (error.sd / Math.sqrt(n));
  const mae = error.mean;
  const interval = { lower: Math.max(0, mae - half), upper: mae + half, level: 0.95 };
  const passed = Number.isFinite(mae) && pValue < alpha;
  const described = `Test MAE ${money(mae)} (95% CI ${money(interval.lower)}–${money(interval.upper)})`;
  const how = "paired one-sided t test on the per-row absolute errors";
  const message = passed
    ? `${described} beats the baseline MAE ${money(baselineMae)} of always predicting the training mean (${money(trainMean)}), ${formatP(pValue)} (${how}).`
    : `${described} does not beat the baseline MAE ${money(baselineMae)} of always predicting the training mean (${money(trainMean)}) convincingly: ${formatP(pValue)} (${how}), needs p < ${alpha}.`;
  return {
    check: { id: "beats-baseline", passed, message, visibility: "always" },
    mae: { label: "Test MAE (target's unit)", value: Number.isFinite(mae) ? mae : Number.MAX_VALUE, interval },
    baselineMae,
    pValue,
  };
}
