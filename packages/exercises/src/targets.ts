import type { ExerciseDefinition, ProjectMetric } from "@stepwise/core/contracts";

/** Step 7's target as the student reads it and the grader checks it: in the metric chosen in step 2 when the exercise states one for it. */
export interface StepTarget {
  /** The metric the target is expressed in (the exercise's own when step 2 chose none, or one it states no target for). */
  metric: ProjectMetric;
  /** The verdict metric (by key) the target is read from. */
  key: "testAccuracy" | "testMae" | "recall" | "f1" | "rocAuc";
  /** "Test recall": what is measured on the hidden test set. */
  name: string;
  value: number;
  higherIsBetter: boolean;
  /** True when the target follows step 2's choice rather than the exercise's own metric. */
  chosen: boolean;
}

const IN_METRIC = {
  "precision-recall": { key: "recall", name: "Test recall" },
  f1: { key: "f1", name: "Test F1" },
  "roc-auc": { key: "rocAuc", name: "Test ROC AUC" },
} as const;

/**
 * The target a step's final model must reach, or undefined when the exercise sets none. A guided
 * student who chose precision/recall, F1 or ROC AUC in step 2 is held to the exercise's target in
 * that metric (`metricTargets`); accuracy and MAE are the exercise's own metrics, so its `target` is theirs.
 */
export function stepTarget(
  exercise: Pick<ExerciseDefinition, "metric" | "target" | "metricTargets">,
  chosen: ProjectMetric | undefined,
): StepTarget | undefined {
  if (chosen !== undefined && chosen !== "accuracy" && chosen !== "mae") {
    const value = exercise.metricTargets?.[chosen];
    if (value !== undefined) return { metric: chosen, ...IN_METRIC[chosen], value, higherIsBetter: true, chosen: true };
  }
  if (exercise.target === undefined) return undefined;
  const mae = exercise.metric === "mae";
  return {
    metric: exercise.metric,
    key: mae ? "testMae" : "testAccuracy",
    name: mae ? "Test MAE" : "Test accuracy",
    value: exercise.target,
    higherIsBetter: !mae,
    chosen: chosen === exercise.metric,
  };
}
