import type { DatasetRef } from "@stepwise/core/contracts";
import { ValidationError } from "@stepwise/core/contracts";

export interface TaskInfo {
  kind: "binary" | "multiclass" | "regression";
  numClasses: number;
}

export function taskOf(dataset: DatasetRef): TaskInfo {
  switch (dataset.kind) {
    case "mnist":
      return { kind: "multiclass", numClasses: 10 };
    case "imdb":
      return { kind: "binary", numClasses: 1 };
    case "csv":
      throw new ValidationError("CSV datasets are not gradable yet.", "dataset");
  }
}

