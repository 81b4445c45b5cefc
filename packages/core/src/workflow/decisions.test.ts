import { describe, expect, it } from "vitest";
import { describeDecisions, type ProjectDecisions } from "../contracts/decisions";
import { decisionsOf } from "./decisions";
import type { Handoff } from "./project";

describe("decisionsOf", () => {
  it.each<[string, Handoff, ProjectDecisions]>([
    ["nothing passed decides nothing", {}, {}],
    ["step 2's metric", { metric: "precision-recall" }, { metric: "precision-recall" }],
    ["an unknown metric is ignored", { metric: "top-5" }, {}],
    [
      "hold-out with its fraction",
      { protocol: { protocol: "holdout", validationFraction: 0.2 } },
      { protocol: { kind: "holdout", validationSplit: 0.2 } },
    ],
    [
      "K-fold within the cost rule",
      { protocol: { protocol: "kfold", folds: 4, validationFraction: 0.25 } },
      { protocol: { kind: "kfold", folds: 4, chosenFolds: 4 } },
    ],
    [
      "K-fold above the cost rule is capped",
      { protocol: { protocol: "kfold", folds: 10, validationFraction: 0.1 } },
      { protocol: { kind: "kfold", folds: 5, chosenFolds: 10 } },
    ],
    [
      "iterated K-fold runs once",
      { protocol: { protocol: "iterated-kfold", folds: 5, validationFraction: 0.2 } },
      { protocol: { kind: "kfold", folds: 5, chosenFolds: 5 } },
    ],
    [
      "a table's scaling",
      { preparation: { numericScaling: "min-max", categorical: "one-hot", fitOnTrainOnly: true } },
      { preparation: { scaling: "min-max", fittedOn: "training" } },
    ],
    [
      "MNIST's pixel scaling",
      { preparation: { pixelScaling: "standardize", fitOnTrainOnly: true } },
      { preparation: { scaling: "standardize", fittedOn: "training" } },
    ],
    [
      "IMDB's vocabulary carries forward; its encoding is the model's input, not a scaling",
      { preparation: { encoding: "multi-hot", vocabularySize: 5000, fitOnTrainOnly: true } },
      { vocabularySize: 5000 },
    ],
    [
      "IMDB's vocabulary with sequences",
      { preparation: { encoding: "sequences", vocabularySize: 2000, fitOnTrainOnly: true } },
      { vocabularySize: 2000 },
    ],
    [
      "a vocabulary outside 100–20,000 words decides nothing",
      { preparation: { encoding: "multi-hot", vocabularySize: 50, fitOnTrainOnly: true } },
      {},
    ],
    [
      "a fractional vocabulary decides nothing",
      { preparation: { encoding: "multi-hot", vocabularySize: 2500.5, fitOnTrainOnly: true } },
      {},
    ],
  ])("%s", (_name, handoff, expected) => {
    expect(decisionsOf(handoff)).toEqual(expected);
  });

  it("describes the decisions as the verdict card shows them", () => {
    expect(
      describeDecisions({
        metric: "precision-recall",
        protocol: { kind: "kfold", folds: 5, chosenFolds: 5 },
        preparation: { scaling: "standardize", fittedOn: "training" },
      }),
    ).toEqual([
      "Metric: precision and recall (chosen in step 2)",
      "Protocol: 5-fold (step 3)",
      "Preparation: standardize, fitted on training rows (step 4)",
    ]);
    expect(describeDecisions({ protocol: { kind: "kfold", folds: 5, chosenFolds: 8 } })).toEqual([
      "Protocol: 5-fold (you chose 8; the grader trains at most 5 folds) (step 3)",
    ]);
    expect(describeDecisions({ metric: "accuracy", vocabularySize: 5000 })).toEqual([
      "Metric: accuracy (chosen in step 2)",
      "Vocabulary: 5,000 most frequent training words (step 4)",
    ]);
  });
});
