import { describe, expect, it } from "vitest";
import { lateness } from "./late";

const D = Date.UTC(2026, 2, 1, 23, 59);
const H = 3_600_000;

describe("lateness", () => {
  it.each([
    ["no deadline", D + 1000 * H, null, undefined, { late: false, daysLate: 0, factor: 1, accepted: true }],
    ["on time", D, D, undefined, { late: false, daysLate: 0, factor: 1, accepted: true }],
    ["late without a policy is refused", D + 1, D, undefined, { late: true, daysLate: 1, factor: 0, accepted: false }],
    ["1 ms late is one day", D + 1, D, { perDay: 0.1, maxDaysLate: 3 }, { late: true, daysLate: 1, factor: 0.9, accepted: true }],
    ["25 h late is two days", D + 25 * H, D, { perDay: 0.1, maxDaysLate: 3 }, { late: true, daysLate: 2, factor: 0.8, accepted: true }],
    ["past maxDaysLate", D + 73 * H, D, { perDay: 0.1, maxDaysLate: 3 }, { late: true, daysLate: 4, factor: 0, accepted: false }],
    ["penalty never below zero", D + 47 * H, D, { perDay: 0.75, maxDaysLate: 5 }, { late: true, daysLate: 2, factor: 0, accepted: true }],
  ] as const)("%s", (_name, at, deadline, penalty, expected) => {
    const got = lateness(at, deadline, penalty);
    expect({ ...got, factor: Number(got.factor.toFixed(10)) }).toEqual(expected);
  });
});
