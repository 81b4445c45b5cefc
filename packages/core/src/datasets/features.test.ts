import { describe, expect, it } from "vitest";
import { selectFeatures } from "./features";

const names = ["age", "income", "housing=own", "housing=rent"];
// Two rows: 1..4 and 5..8.
const rows = { inputs: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), width: 4, featureNames: names };
const context = { file: "credit.csv", target: "default" };

describe("selectFeatures", () => {
  it.each<[string, string[], string[], number[]]>([
    ["nothing dropped keeps every column", [], names, [1, 2, 3, 4, 5, 6, 7, 8]],
    ["a numeric column", ["income"], ["age", "housing=own", "housing=rent"], [1, 3, 4, 5, 7, 8]],
    ["a categorical column drops all its one-hot columns", ["housing"], ["age", "income"], [1, 2, 5, 6]],
  ])("%s", (_name, drop, kept, inputs) => {
    const out = selectFeatures(rows, { drop }, context);
    expect(out.featureNames).toEqual(kept);
    expect(out.width).toBe(kept.length);
    expect([...out.inputs]).toEqual(inputs);
  });

  it.each<[string, string[], RegExp]>([
    [
      "an unknown column is named, with the columns there are",
      ["incme"],
      /`incme`, which is not an input column of credit\.csv; its input columns are `age`, `income`, `housing`/,
    ],
    ["the target is not an input", ["default"], /`default` is the target of credit\.csv/],
    ["one-hot column names are not table columns", ["housing=own"], /`housing=own`, which is not an input column/],
    ["dropping every column leaves nothing to learn from", ["age", "income", "housing"], /leaves no input column of credit\.csv/],
  ])("refuses: %s", (_name, drop, message) => {
    expect(() => selectFeatures(rows, { drop }, context)).toThrow(message);
  });
});
