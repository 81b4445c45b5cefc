import type { Diagnostic } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import { checkFitsTheTask } from "../src/grading";

const diagnostic = (code: string): Diagnostic => ({ code, message: `Message of ${code}.`, hint: `Fix for ${code}.` });

describe("step 5 fails a model whose head or loss is wrong for the task", () => {
  it.each([
    "softmax-binary-crossentropy",
    "sigmoid-multiclass",
    "squashing-regression-output",
    "softmax-single-unit",
    "loss-task-mismatch",
  ])("%s: a failed required check naming the cause and the fix", (code) => {
    const check = checkFitsTheTask([diagnostic("loss-flat"), diagnostic(code)]);
    expect(check).toMatchObject({ id: "fits-the-task", passed: false, required: true });
    expect(check?.message).toBe(`Not a model for this task: Message of ${code}. Fix for ${code}.`);
  });

  it.each([[[]], [["loss-flat", "inputs-not-normalized", "learning-rate-too-high"]]])("advice alone (%j) adds no check", (codes) => {
    expect(checkFitsTheTask(codes.map(diagnostic))).toBeUndefined();
  });
});
