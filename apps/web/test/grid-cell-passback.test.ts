import { describe, expect, it } from "vitest";
import { cellBadges, cellTip, type CellPassback, type GridCell } from "../src/app/teach/[courseId]/gradebook/grid-cell";

const cell = (passback: CellPassback | null): GridCell => ({ score: 87.5, status: "passed", used: 1, ...(passback ? { passback } : {}) });

describe("a gradebook cell's LMS passback", () => {
  it.each([
    [{ status: "sent", scoreGiven: 87.5, scoreMaximum: 100, lastError: null }, [], "Sent to the LMS (87.5 / 100)"],
    [
      { status: "pending", scoreGiven: null, scoreMaximum: null, lastError: null },
      ["cell-passback-pending"],
      "Waiting to be sent to the LMS",
    ],
    [
      { status: "pending", scoreGiven: null, scoreMaximum: null, lastError: "429 Too Many Requests" },
      ["cell-passback-pending"],
      "Waiting to be sent to the LMS (retrying: 429 Too Many Requests)",
    ],
    [
      { status: "failed", scoreGiven: null, scoreMaximum: null, lastError: "404: line item deleted" },
      ["cell-passback-failed"],
      "Not sent to the LMS: 404: line item deleted",
    ],
  ] as [CellPassback, string[], string][])("%o: badges %j, details say %s", (passback, badges, detail) => {
    expect(cellBadges(cell(passback)).map((b) => b.testId)).toEqual(badges);
    expect(cellTip(cell(passback)).at(-1)).toBe(detail);
  });

  it("says nothing of an LMS for a cell not linked to one", () => {
    expect(cellBadges(cell(null))).toEqual([]);
    expect(cellTip(cell(null)).join(" ")).not.toMatch(/LMS/);
  });
});
