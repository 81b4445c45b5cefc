import type { Verdict } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import { assignmentStatus, visibleVerdict } from "./verdict-view";

const verdict: Verdict = {
  status: "failed",
  score: 0,
  summary: "s",
  checks: [
    { id: "a", passed: true, message: "always", visibility: "always" },
    { id: "d", passed: false, message: "after the deadline", visibility: "after_deadline" },
    { id: "n", passed: false, message: "never", visibility: "never" },
  ],
  metrics: {},
  curves: { history: [] },
  diagnostics: [],
};

describe("visibleVerdict", () => {
  it.each([
    ["no deadline", null, 0, ["a"]],
    ["before the deadline", 1_000, 999, ["a"]],
    ["after the deadline", 1_000, 1_000, ["a", "d"]],
  ])("%s", (_case, deadline, now, ids) => {
    expect(visibleVerdict(verdict, { deadline, now }).checks.map((c) => c.id)).toEqual(ids);
  });
});

describe("assignmentStatus", () => {
  const row = (job: "queued" | "running" | "done" | "dead" | null, v: Verdict["status"] | null) => ({
    job: job ? { status: job } : null,
    verdict: v ? { status: v } : null,
  });
  it.each([
    ["nothing submitted", [], "not_attempted"],
    ["latest queued", [row("queued", null)], "queued"],
    ["latest running after a failure", [row("running", null), row("done", "failed")], "running"],
    ["an earlier pass wins", [row("done", "failed"), row("done", "passed")], "passed"],
    ["latest failed", [row("done", "failed")], "failed"],
    ["dead job", [row("dead", "error")], "failed"],
  ] as const)("%s → %s", (_case, rows, expected) => {
    expect(assignmentStatus(rows)).toBe(expected);
  });
});
