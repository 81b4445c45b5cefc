import type { Hyperparameter, TrialValues, TuningResult } from "@stepwise/exercises/tuning";
import { short } from "~/components/experiments/figure";

/**
 * Words and numbers of the Tune section. Types only come from `@stepwise/exercises/tuning`: its
 * runtime (training, data loading) stays on the grader and out of the browser bundle.
 */

/** In the order the form and the table show them. */
export const DIMENSIONS: readonly Hyperparameter[] = ["learningRate", "units", "layers", "dropout"];

export const LABEL: Record<Hyperparameter, string> = {
  learningRate: "Learning rate",
  units: "Units per hidden layer",
  layers: "Hidden layers",
  dropout: "Dropout rate",
};

/** Short column headings. */
export const COLUMN: Record<Hyperparameter, string> = {
  learningRate: "learning rate",
  units: "units",
  layers: "layers",
  dropout: "dropout",
};

/** "learning rate 0.001, dropout 0.3", as the student wrote the values. */
export function describeTrial(values: TrialValues): string {
  const parts = DIMENSIONS.flatMap((key) => (values[key] === undefined ? [] : [`${COLUMN[key]} ${values[key]}`]));
  return parts.length ? parts.join(", ") : "your model as submitted";
}

/** "validation accuracy" or "validation loss": what selection compared. */
export function selectionName(metric: TuningResult["metric"]): string {
  return `validation ${metric.name}`;
}

/** A metric value as the table shows it: accuracies with three decimals, losses as `short` writes them. */
export function metricText(value: number | null | undefined, metric: TuningResult["metric"]): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return metric.name === "accuracy" ? value.toFixed(3) : short(value);
}

export function gapText(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(3)}`;
}

/** Parses "0.001, 0.003 0.01" into numbers; null when a part is not a number. */
export function parseList(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  const numbers = parts.map(Number);
  return numbers.every((n) => Number.isFinite(n)) ? numbers : null;
}
