import { describe, expect, it } from "vitest";
import { NotFoundError, PreconditionError } from "../contracts/errors";
import type { VerdictStatus } from "../contracts/verdict";
import { advance, canSubmit, initialProgress, normalizeProgress, type StepEvent, WorkflowProgress } from "./progress";
import type { StepDefinition } from "./steps";

const event = (stepId: string, status: VerdictStatus, score: number, submissionId = `sub-${stepId}-${status}-${score}`): StepEvent => ({
  stepId,
  verdict: { status, score },
  submissionId,
});
const states = (progress: WorkflowProgress): string[] => Object.values(progress.steps).map((s) => s.state);

/** Passes steps 1..n in order. */
function passThrough(n: number): WorkflowProgress {
  const ids = ["define-problem", "choose-metric", "evaluation-protocol", "prepare-data", "beat-baseline", "overfit", "regularize"];
  return ids.slice(0, n).reduce((p, id) => advance(p, event(id, "passed", 1)), initialProgress());
}

describe("initialProgress", () => {
  it("opens step 1 and locks the rest", () => {
    const progress = initialProgress();
    expect(states(progress)).toEqual(["open", "locked", "locked", "locked", "locked", "locked", "locked"]);
    expect(WorkflowProgress.parse(progress)).toEqual(progress);
    expect(canSubmit(progress, "define-problem")).toBe(true);
    expect(canSubmit(progress, "choose-metric")).toBe(false);
  });
});

describe("advance", () => {
  it("passing a step records the score and unlocks the next", () => {
    const progress = advance(initialProgress(), event("define-problem", "passed", 0.9, "s1"));
    expect(progress.steps["define-problem"]).toEqual({ state: "passed", attempts: 1, score: 0.9, submissionId: "s1" });
    expect(progress.steps["choose-metric"]).toEqual({ state: "open" });
    expect(progress.steps["evaluation-protocol"]).toEqual({ state: "locked" });
  });

  it("walks all seven steps", () => {
    expect(states(passThrough(7))).toEqual(Array(7).fill("passed"));
    expect(states(passThrough(4))).toEqual(["passed", "passed", "passed", "passed", "open", "locked", "locked"]);
  });

  it("failing keeps the step submittable, counts attempts and unlocks nothing", () => {
    let progress = advance(initialProgress(), event("define-problem", "failed", 0.5, "s1"));
    progress = advance(progress, event("define-problem", "failed", 0.25, "s2"));
    expect(progress.steps["define-problem"]).toEqual({ state: "failed", attempts: 2, lastScore: 0.25, lastSubmissionId: "s2" });
    expect(progress.steps["choose-metric"]).toEqual({ state: "locked" });
    expect(canSubmit(progress, "define-problem")).toBe(true);
    progress = advance(progress, event("define-problem", "passed", 1, "s3"));
    expect(progress.steps["define-problem"]).toEqual({ state: "passed", attempts: 3, score: 1, submissionId: "s3" });
  });

  it.each(["timed_out", "out_of_memory", "diverged"] as const)("a %s verdict counts as a failed attempt", (status) => {
    const progress = advance(passThrough(4), event("beat-baseline", status, 0));
    expect(progress.steps["beat-baseline"]).toMatchObject({ state: "failed", attempts: 1 });
  });

  it.each(["invalid", "error"] as const)("an %s verdict changes nothing and costs no attempt", (status) => {
    const open = passThrough(4);
    expect(advance(open, event("beat-baseline", status, 0))).toEqual(open);
    const failed = advance(open, event("beat-baseline", "failed", 0.5));
    expect(advance(failed, event("beat-baseline", status, 0))).toEqual(failed);
    const passed = passThrough(5);
    expect(advance(passed, event("beat-baseline", status, 0))).toEqual(passed);
  });

  it.each([
    ["a better pass raises the score", "passed", 1, { score: 1, submissionId: "better" }],
    ["a weaker pass keeps the best score", "passed", 0.6, { score: 0.8, submissionId: "first" }],
    ["an equal pass keeps the first submission", "passed", 0.8, { score: 0.8, submissionId: "first" }],
    ["a failure keeps the pass", "failed", 0.2, { score: 0.8, submissionId: "first" }],
  ] as const)("re-submission after a pass: %s", (_name, status, score, expected) => {
    let progress = advance(passThrough(4), event("beat-baseline", "passed", 0.8, "first"));
    progress = advance(progress, event("beat-baseline", status, score, status === "passed" && score > 0.8 ? "better" : "other"));
    expect(progress.steps["beat-baseline"]).toEqual({ state: "passed", attempts: 2, ...expected });
    // Never re-locks what the pass opened.
    expect(progress.steps.overfit).toEqual({ state: "open" });
  });

  it("re-submitting an earlier step keeps later progress", () => {
    const progress = advance(passThrough(6), event("define-problem", "failed", 0));
    expect(states(progress)).toEqual(["passed", "passed", "passed", "passed", "passed", "passed", "open"]);
  });

  it("refuses a locked step and says what to pass first", () => {
    expect(() => advance(initialProgress(), event("overfit", "passed", 1))).toThrow(PreconditionError);
    expect(() => advance(initialProgress(), event("overfit", "passed", 1))).toThrow('step "overfit" is locked: pass "beat-baseline" first');
  });

  it("refuses an unknown step", () => {
    expect(() => advance(initialProgress(), event("step-8", "passed", 1))).toThrow(NotFoundError);
  });

  it("does not mutate its input", () => {
    const before = initialProgress();
    const copy = structuredClone(before);
    advance(before, event("define-problem", "passed", 1));
    expect(before).toEqual(copy);
  });

  it("opens a step only when all its prerequisites pass (a diamond)", () => {
    const steps: StepDefinition[] = [
      { id: "a", number: 1, title: "A", kind: "answer", prerequisites: [], description: "a" },
      { id: "b", number: 2, title: "B", kind: "answer", prerequisites: [], description: "b" },
      { id: "c", number: 3, title: "C", kind: "training", prerequisites: ["a", "b"], description: "c" },
    ];
    let progress = initialProgress(steps);
    expect(states(progress)).toEqual(["open", "open", "locked"]);
    progress = advance(progress, event("a", "passed", 1), steps);
    expect(progress.steps.c).toEqual({ state: "locked" });
    progress = advance(progress, event("b", "passed", 1), steps);
    expect(progress.steps.c).toEqual({ state: "open" });
  });
});

describe("normalizeProgress", () => {
  it("adds steps stored progress doesn't know, opening them if their prerequisites passed", () => {
    const stored: WorkflowProgress = { steps: { "define-problem": { state: "passed", attempts: 1, score: 1, submissionId: "s" } } };
    const progress = normalizeProgress(stored);
    expect(states(progress)).toEqual(["passed", "open", "locked", "locked", "locked", "locked", "locked"]);
  });
});
