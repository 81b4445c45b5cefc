import { describe, expect, it } from "vitest";
import { ordinal, queueText } from "./queue-text";

describe("queueText", () => {
  it.each([
    [null, null, "Queued"],
    [0, null, "Queued: next in queue"],
    [2, 40, "Queued: 3rd in queue, ~40 s"],
    [0, 3, "Queued: next in queue, starting any moment"],
    [1, 42, "Queued: 2nd in queue, ~40 s"],
    [10, 125, "Queued: 11th in queue, ~2 min"],
  ])("position %s, wait %s s → %s", (position, wait, text) => {
    expect(queueText(position, wait)).toBe(text);
  });

  it.each([
    [1, "1st"],
    [2, "2nd"],
    [3, "3rd"],
    [4, "4th"],
    [11, "11th"],
    [12, "12th"],
    [13, "13th"],
    [21, "21st"],
    [22, "22nd"],
    [101, "101st"],
    [111, "111th"],
  ])("ordinal(%i) = %s", (n, text) => {
    expect(ordinal(n)).toBe(text);
  });
});
