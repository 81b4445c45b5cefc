import { describe, expect, it } from "vitest";
import { Verdict } from "../contracts/verdict";
import { checkBeatsBaseline } from "./baseline";
import { checkClaim } from "./claim";
import { curve } from "./curves.test-helpers";
import { assembleVerdict, countsAsAttempt, type GradedCheck, statusVerdict } from "./verdict";

const pass = (id: string, required?: boolean): GradedCheck => ({
  id,
  passed: true,
  message: `${id} ok`,
  visibility: "always",
  ...(required === undefined ? {} : { required }),
});
const fail = (id: string, required?: boolean): GradedCheck => ({ ...pass(id, required), passed: false, message: `${id} failed` });

describe("assembleVerdict", () => {
  it.each([
    ["all required pass", [pass("a"), pass("b")], "passed", 1],
    ["one of two required fails", [pass("a"), fail("b")], "failed", 0.5],
    ["one of three required fails", [pass("a"), pass("b"), fail("c")], "failed", 2 / 3],
    ["an optional failure doesn't count", [pass("a"), fail("claim", false)], "passed", 1],
    ["an optional pass doesn't lift the score", [fail("a"), pass("claim", false)], "failed", 0],
    ["no required checks", [fail("claim", false)], "passed", 1],
  ] as const)("%s", (_name, checks, status, score) => {
    const verdict = assembleVerdict({ checks });
    expect(verdict.status).toBe(status);
    expect(verdict.score).toBeCloseTo(score, 12);
    expect(Verdict.parse(verdict)).toEqual(verdict);
  });

  it("summarizes with the first failing required check", () => {
    expect(assembleVerdict({ checks: [pass("a"), fail("b"), fail("c")] }).summary).toBe("1 of 3 required checks passed. b failed");
    expect(assembleVerdict({ checks: [pass("a")] }).summary).toBe("All 1 required check passed.");
  });

  it("builds a full step-5 verdict that the contract accepts, without the `required` flag", () => {
    const beats = checkBeatsBaseline({ correct: 9120, n: 10_000, baseline: 0.1135 });
    const claim = checkClaim({ claimed: { metric: "valAccuracy", value: 0.95 }, reproduced: 0.91 });
    const verdict = assembleVerdict({
      checks: [beats.check, { ...claim, required: false }],
      metrics: { testAccuracy: beats.metric },
      history: curve([0.9, 0.4], [0.5, 0.35]),
      baseline: 0.1135,
      diagnostics: [{ code: "x", message: "m", hint: "h" }],
      environment: { backend: "cpu", tfjsVersion: "4.22.0", seed: 1337, durationMs: 1200 },
      visibility: { "claim-reproduced": "after_deadline" },
    });
    expect(Verdict.parse(verdict)).toEqual(verdict);
    expect(verdict.status).toBe("passed");
    expect(verdict.curves.baseline).toBe(0.1135);
    expect(verdict.checks[1]).toEqual({ id: "claim-reproduced", passed: true, message: claim.message, visibility: "after_deadline" });
    expect(Object.keys(verdict.checks[1] ?? {})).not.toContain("required");
  });
});

describe("statusVerdict", () => {
  it.each(["invalid", "error", "timed_out", "out_of_memory", "diverged"] as const)("%s scores 0 and parses", (status) => {
    const verdict = statusVerdict(status, "Something happened.", { history: curve([1]) });
    expect(verdict).toMatchObject({ status, score: 0, summary: "Something happened.", checks: [] });
    expect(Verdict.parse(verdict)).toEqual(verdict);
  });
});

describe("countsAsAttempt", () => {
  it.each([
    ["passed", true],
    ["failed", true],
    ["timed_out", true],
    ["diverged", true],
    ["out_of_memory", true],
    ["invalid", false],
    ["error", false],
  ] as const)("%s → %s", (status, counts) => {
    expect(countsAsAttempt(status)).toBe(counts);
  });
});
