import type { DatasetRef } from "@stepwise/core/contracts";

export interface TaskInfo {
  kind: "binary" | "multiclass" | "regression";
  numClasses: number;
}

/**
 * The task a dataset poses. A multiclass CSV's number of classes is a fact of its data: pass it
 * (from `csvGrading`); without it (the web app's submit-time check, which reads no data) it is 0.
 */
export function taskOf(dataset: DatasetRef, data?: { numClasses: number }): TaskInfo {
  switch (dataset.kind) {
    case "mnist":
      return { kind: "multiclass", numClasses: 10 };
    case "imdb":
      return { kind: "binary", numClasses: 1 };
    case "csv":
      return { kind: dataset.task, numClasses: dataset.task === "multiclass" ? (data?.numClasses ?? 0) : 1 };
  }
}
