import { describe, expect, it } from "vitest";
import { histogram, median } from "./gradebook-summary";

describe("gradebook summary helpers", () => {
  it.each<[number[], number | null]>([
    [[], null],
    [[4], 4],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])("median of %j is %s", (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it.each<[Array<number | null>, number[]]>([
    [[], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    [
      [0, 0.05, 0.1, 0.999, 1, null],
      [2, 1, 0, 0, 0, 0, 0, 0, 0, 2],
    ],
    [
      [0.5, 0.55, 0.7],
      [0, 0, 0, 0, 0, 2, 0, 1, 0, 0],
    ],
  ])("histogram of %j (ungraded left out; 100 in the top bin)", (scores, bins) => {
    expect(histogram(scores.map((best) => ({ best })))).toEqual(bins);
  });
});
