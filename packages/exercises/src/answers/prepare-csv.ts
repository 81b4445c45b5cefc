import type { DatasetRef } from "@stepwise/core/contracts";
import { applyStandardizer, denseSet, fitCsvEncoder, fitStandardizer, materialize } from "@stepwise/core/datasets";
import { count, loadCsvTraining } from "./facts";
import { type ValueStats, valueStats } from "./value-stats";
import { check, flag, type RuleInput, type RuleResult, text } from "./types";

/** Standardized training columns must have mean 0 and std 1 within this; training statistics give ≈1e-7. */
export const STANDARD_TOLERANCE = 0.01;

interface ColumnStats extends ValueStats {
  name: string;
}

function columnStats(name: string, values: Float32Array | Float64Array): ColumnStats {
  return {
    name,
    ...valueStats((add) => {
      for (const v of values) add(v);
    }),
  };
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? count(Math.round(x)) : x.toFixed(3));

/**
 * Step 4 on a CSV: applies the declared scaling to the numeric columns of the training split, with
 * statistics fitted where the student said (train only, or every row), and measures the result.
 */
export function gradeCsvPrepare({ exercise, answers, options }: RuleInput): RuleResult {
  const dataset = exercise.dataset as Extract<DatasetRef, { kind: "csv" }>;
  const scaling = text(answers, "numericScaling");
  const categorical = text(answers, "categorical");
  const trainOnly = flag(answers, "fitOnTrainOnly");
  const { table, train } = loadCsvTraining(dataset, options);
  const fitRows = trainOnly ? train : Int32Array.from({ length: table.n }, (_, i) => i);
  const numeric = table.features.filter((f) => f.numbers);
  const width = numeric.length;
  const gather = (rows: Int32Array) => {
    const out = new Float32Array(rows.length * width);
    rows.forEach((row, r) => numeric.forEach((f, c) => (out[r * width + c] = f.numbers?.[row] ?? 0)));
    return denseSet(out, width, { name: `${dataset.file} numeric columns` });
  };
  const trainSet = gather(train);
  let scaled = materialize(trainSet);
  if (scaling === "standardize") {
    scaled = materialize(applyStandardizer(trainSet, fitStandardizer(gather(fitRows))));
  } else if (scaling === "min-max") {
    const fit = materialize(gather(fitRows));
    for (let c = 0; c < width; c++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let r = 0; r < fitRows.length; r++) {
        const v = fit[r * width + c] ?? 0;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      // No guard for a constant column: (x − min) / 0 is the NaN the `finite` check exists to catch.
      for (let r = 0; r < train.length; r++) scaled[r * width + c] = ((scaled[r * width + c] ?? 0) - lo) / (hi - lo);
    }
  }
  const stats = numeric.map((f, c) =>
    columnStats(
      f.name,
      scaled.filter((_, k) => k % width === c),
    ),
  );
  const worstMean = Math.max(...stats.map((s) => Math.abs(s.mean)));
  const worstStd = Math.max(...stats.map((s) => Math.abs(s.std - 1)));
  const nonFinite = stats.reduce((sum, s) => sum + s.nonFinite, 0);
  const widest = stats.reduce((a, b) => (b.max - b.min > a.max - a.min ? b : a));
  const narrowest = stats.reduce((a, b) => (b.max - b.min < a.max - a.min ? b : a));
  const source = trainOnly ? "training statistics" : `statistics of all ${count(table.n)} rows, test rows included`;

  let scaleOk = false;
  let scaleMessage = "";
  if (scaling === "standardize") {
    scaleOk = worstMean <= STANDARD_TOLERANCE && worstStd <= STANDARD_TOLERANCE;
    scaleMessage = `${scaleOk ? "Right: a" : "A"}fter standardizing with ${source}, the ${width} numeric training columns have means within ±${worstMean.toFixed(3)} of 0 and standard deviations within ±${worstStd.toFixed(3)} of 1.`;
  } else if (scaling === "min-max") {
    const lo = Math.min(...stats.map((s) => s.min));
    const hi = Math.max(...stats.map((s) => s.max));
    scaleOk = nonFinite === 0 && lo >= 0 && hi <= 1;
    scaleMessage = `${scaleOk ? "Right: a" : "A"}fter min-max scaling with ${source}, the ${width} numeric training columns lie in [${lo.toFixed(3)}, ${hi.toFixed(3)}].`;
  } else {
    scaleMessage = `Unscaled, \`${widest.name}\` spans ${fmt(widest.min)}–${fmt(widest.max)} while \`${narrowest.name}\` spans ${fmt(narrowest.min)}–${fmt(narrowest.max)}: the large column dominates the gradients (see the first training rows on the data panel). Columns on such different scales need bringing to comparable, small ranges.`;
  }

  const categoricalNames = table.features.filter((f) => f.strings).map((f) => `\`${f.name}\``);
  const encoder = fitCsvEncoder(table, fitRows);
  const oneHotColumns = encoder.inputSize - width;
  const categoricalMessage =
    categoricalNames.length === 0
      ? "The table has no categorical column."
      : categorical === "one-hot"
        ? `Right: ${categoricalNames.join(", ")} become ${oneHotColumns} 0/1 columns, one per category seen on training rows.`
        : categorical === "integer-codes"
          ? `Integer codes impose an order and distances (${categoricalNames.join(", ")} have none): the model would treat category 3 as "three times" category 1. Look at their values in the first training rows on the data panel.`
          : `Dropping ${categoricalNames.join(", ")} throws information away before any model has looked at it: the column list on the data panel shows how many distinct values each carries.`;

  return {
    checks: [
      check("numeric-scale", scaleOk, scaleMessage),
      check("categorical-encoding", categoricalNames.length === 0 || categorical === "one-hot", categoricalMessage),
      check(
        "finite",
        nonFinite === 0,
        nonFinite === 0
          ? "No NaN or infinite values after scaling."
          : `${nonFinite} training values became NaN or infinite after scaling (a column constant on the fitted rows divides by zero).`,
      ),
      check(
        "fit-on-train",
        trainOnly,
        trainOnly
          ? "Right: statistics and categories come from the training rows only."
          : `Statistics computed with test rows let the test set leak into preprocessing${scaling === "standardize" ? ` (the training means are off 0 by up to ${worstMean.toFixed(3)})` : ""}: the test score would no longer measure rows the model has never seen in any way. The data panel keeps the test rows hidden for this reason.`,
      ),
    ],
    metrics: {
      worstMean: { label: "Largest |mean| of a scaled numeric training column", value: worstMean },
      worstStd: { label: "Largest |std − 1| of a scaled numeric training column", value: worstStd },
    },
  };
}
