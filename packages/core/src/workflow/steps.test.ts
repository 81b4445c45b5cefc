import { describe, expect, it } from "vitest";
import { StepwiseError } from "../contracts/errors";
import { restrictSteps, STEPS, StepId, stepById, stepByNumber, type StepDefinition, validateSteps } from "./steps";

describe("STEPS", () => {
  it("are the seven steps of the workflow, numbered 1–7, each requiring the one before", () => {
    expect(STEPS.map((s) => s.id)).toEqual(StepId.options);
    expect(STEPS.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    STEPS.forEach((step, i) => expect(step.prerequisites).toEqual(i === 0 ? [] : [STEPS[i - 1]?.id]));
    expect(() => validateSteps(STEPS)).not.toThrow();
  });

  it.each([
    [1, "define-problem", "answer"],
    [4, "prepare-data", "preprocessing"],
    [5, "beat-baseline", "training"],
    [6, "overfit", "training"],
    [7, "regularize", "training"],
  ])("step %i is %s (%s)", (number, id, kind) => {
    expect(stepByNumber(number)?.id).toBe(id);
    expect(stepById(id)?.kind).toBe(kind);
  });
});

const step = (id: string, prerequisites: string[], number = 1): StepDefinition => ({
  id,
  number,
  title: id,
  kind: "answer",
  prerequisites,
  description: id,
});

describe("validateSteps", () => {
  it.each([
    ["a duplicate id", [step("a", []), step("a", [])], /unique/],
    ["an unknown prerequisite", [step("a", ["b"])], /requires "b"/],
    ["a cycle", [step("a", ["c"]), step("b", ["a"]), step("c", ["b"])], /cycle/],
  ])("rejects %s", (_name, steps, message) => {
    expect(() => validateSteps(steps)).toThrow(StepwiseError);
    expect(() => validateSteps(steps)).toThrow(message);
  });
});

describe("restrictSteps", () => {
  it.each([
    ["all seven", [1, 2, 3, 4, 5, 6, 7], [[], [1], [2], [3], [4], [5], [6]]],
    ["steps 5–7 only: step 5 needs nothing", [5, 6, 7], [[], [5], [6]]],
    ["a gap: step 5 needs step 3", [1, 3, 5], [[], [1], [3]]],
  ])("%s", (_name, numbers, prerequisites) => {
    const restricted = restrictSteps(STEPS, (s) => numbers.includes(s.number));
    expect(restricted.map((s) => s.number)).toEqual(numbers);
    expect(restricted.map((s) => s.prerequisites.map((id) => stepById(id)?.number))).toEqual(prerequisites);
    expect(() => validateSteps(restricted)).not.toThrow();
  });
});
