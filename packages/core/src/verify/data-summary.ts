import type { DiagnosticsInput } from "./diagnostics";
import { StatsInputError } from "./stats";

/**
 * Fills `DiagnosticsInput.data` from the arrays the model actually trains on, so the grader (and the
 * browser preview) run the data rules on real numbers rather than on what the student says.
 */
export function summarizeTrainingData(
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  task: DiagnosticsInput["task"]["kind"],
): NonNullable<DiagnosticsInput["data"]> {
  if (inputs.length === 0 || labels.length === 0) {
    throw new StatsInputError(`training data must hold at least 1 input and 1 label, got ${inputs.length} and ${labels.length}`);
  }
  let inputMin = Infinity;
  let inputMax = -Infinity;
  for (let i = 0; i < inputs.length; i++) {
    const v = inputs[i] ?? 0;
    if (v < inputMin) inputMin = v;
    if (v > inputMax) inputMax = v;
  }
  let mean = 0;
  for (let i = 0; i < labels.length; i++) mean += labels[i] ?? 0;
  mean /= labels.length;
  let variance = 0;
  for (let i = 0; i < labels.length; i++) variance += ((labels[i] ?? 0) - mean) ** 2;
  const labelStd = Math.sqrt(variance / labels.length);
  return {
    inputMin,
    inputMax,
    labelMean: mean,
    labelStd,
    shuffled: task === "regression" ? !isSorted(labels) : looksShuffled(labels),
  };
}

function isSorted(values: ArrayLike<number>): boolean {
  let up = true;
  let down = true;
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1] ?? 0;
    const b = values[i] ?? 0;
    if (b < a) up = false;
    if (b > a) down = false;
  }
  return values.length > 2 && (up || down);
}

/**
 * Class labels in random order change from one example to the next with probability 1 − Σ p_c².
 * Data grouped by label changes far less often (9 times for sorted MNIST, not ~54,000).
 * Fewer than half the expected changes is called "not shuffled".
 */
export function looksShuffled(labels: ArrayLike<number>): boolean {
  const n = labels.length;
  if (n < 20) return true;
  const counts = new Map<number, number>();
  let changes = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i] ?? 0;
    counts.set(label, (counts.get(label) ?? 0) + 1);
    if (i > 0 && label !== labels[i - 1]) changes++;
  }
  let sumSquares = 0;
  for (const c of counts.values()) sumSquares += (c / n) ** 2;
  const expected = (n - 1) * (1 - sumSquares);
  return expected < 10 || changes >= 0.5 * expected;
}
