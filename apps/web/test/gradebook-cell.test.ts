import type { JobStatus, Verdict } from "@stepwise/core/contracts";
import type { GradebookAttempt } from "@stepwise/db";
import { describe, expect, it } from "vitest";
import { gradeCell, scoreAttempt } from "../src/server/services/gradebook";

const DAY = 86_400_000;
const DEADLINE = 10 * DAY;
const PENALTY = { perDay: 0.25, maxDaysLate: 2 };

let n = 0;
/** An attempt at `day` (newest first in the lists below), graded with `verdict` or with its job in `job` status. */
function attempt(day: number, verdict: Pick<Verdict, "status" | "score"> | null, job: JobStatus = "done"): GradebookAttempt {
  n += 1;
  return {
    submissionId: `s${n}`,
    assignmentId: "a",
    userId: "u",
    createdAt: day * DAY,
    job: { id: `j${n}`, status: verdict ? "done" : job },
    verdict,
  };
}

const cell = (attempts: GradebookAttempt[]) =>
  gradeCell(
    { id: "a", attemptsAllowed: 4 },
    attempts.map((a) => scoreAttempt(a, DEADLINE, PENALTY)),
  );

describe("one gradebook cell", () => {
  it.each([
    ["nothing submitted", [], { best: null, status: "not_attempted", late: false, attemptsUsed: 0, pending: 0 }],
    ["only a queued attempt", [attempt(1, null, "queued")], { best: null, status: "pending", pending: 1, attemptsUsed: 1 }],
    ["only a cancelled attempt", [attempt(1, null, "cancelled")], { best: null, status: "cancelled", attemptsUsed: 0 }],
    // A dead-lettered job's "error" verdict is the grader's fault: no grade, no attempt used.
    ["only a grader error", [attempt(1, { status: "error", score: 0 })], { best: null, status: "error", attemptsUsed: 0 }],
    [
      "a grader error after a pass",
      [attempt(2, { status: "error", score: 0 }), attempt(1, { status: "passed", score: 1 })],
      { best: 1, status: "passed", attemptsUsed: 1 },
    ],
    [
      "an invalid attempt (no attempt used, scores 0)",
      [attempt(1, { status: "invalid", score: 0 })],
      { best: 0, status: "invalid", attemptsUsed: 0 },
    ],
    [
      "late but better",
      [attempt(11, { status: "passed", score: 1 }), attempt(9, { status: "failed", score: 0.5 })],
      { best: 0.75, status: "passed", late: true, daysLate: 1 },
    ],
    [
      "late and worse after the factor",
      [attempt(11.5, { status: "passed", score: 0.8 }), attempt(9, { status: "failed", score: 0.7 })],
      { best: 0.7, status: "failed", late: false },
    ],
    [
      "past the last accepted day (factor 0)",
      [attempt(13, { status: "passed", score: 1 })],
      { best: 0, status: "passed", late: true, daysLate: 3 },
    ],
  ])("%s", (_case, attempts, expected) => {
    expect(cell(attempts)).toMatchObject(expected);
  });

  it("shows the newest of equally good attempts and reports the newest attempt's status", () => {
    const newer = attempt(3, { status: "passed", score: 1 });
    const older = attempt(2, { status: "passed", score: 1 });
    const pending = attempt(4, null, "running");
    expect(cell([pending, newer, older])).toMatchObject({
      bestSubmissionId: newer.submissionId,
      latest: { submissionId: pending.submissionId, status: "running" },
      pending: 1,
      submissions: 3,
      attemptsUsed: 3,
      attemptsAllowed: 4,
    });
  });
});
