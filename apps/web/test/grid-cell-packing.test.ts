import { describe, expect, it } from "vitest";
import { cellTip, packCell, unpackCell } from "../src/app/teach/[courseId]/gradebook/grid-cell";
import type { GradebookCell } from "../src/server/services/gradebook";

const base: GradebookCell = {
  assignmentId: "a",
  best: 0.875,
  rule: "best",
  selectedOnTest: null,
  bestSubmissionId: "s1",
  status: "passed",
  latest: { submissionId: "s1", status: "passed" },
  late: false,
  daysLate: 0,
  attemptsUsed: 2,
  attemptsAllowed: 3,
  pending: 0,
  submissions: 2,
  firstAt: 1,
  passedAt: 2,
  identical: null,
};

describe("a gradebook cell as the page sends it", () => {
  it("packs an ordinary cell into three numbers and unpacks it with its column's limit", () => {
    const packed = packCell(base);
    expect(packed).toEqual([87.5, expect.any(Number), 2]);
    expect(JSON.stringify(packed).length).toBeLessThan(12);
    expect(unpackCell(packed, { allowed: 3 })).toEqual({ score: 87.5, status: "passed", used: 2, allowed: 3 });
    expect(cellTip(unpackCell(packed, { allowed: 3 }))).toEqual(["87.5 points · Passed", "2 / 3 attempts"]);
  });

  it("carries the rare parts only when present, and keeps them through the round trip", () => {
    const cell: GradebookCell = {
      ...base,
      best: null,
      status: "pending",
      late: true,
      daysLate: 2,
      pending: 1,
      identical: { group: 4, others: ["Bo"] },
    };
    const unpacked = unpackCell(packCell(cell), {});
    expect(unpacked).toEqual({ score: null, status: "pending", used: 2, lateDays: 2, pending: 1, identical: { group: 4, others: ["Bo"] } });
    expect(cellTip(unpacked)).toEqual([
      "No score · Pending",
      "2 attempts · 1 pending",
      "Late 2 d (penalty applied)",
      "Identical work (group 4) with Bo",
    ]);
  });

  it("refuses a status code it does not know", () => {
    expect(() => unpackCell([1, 99, 1], {})).toThrow(/status code 99 is not one of 0–9/);
  });
});
