import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { listExercises, getExercise } from "../src";
import { gradeLocally } from "../src/grading";
import { solutions } from "../src/solutions";

// Real data, scaled down: budgets may shrink in CI, the data may not be fake.
const slice = { trainLimit: 2_000, testLimit: 1_000 };
const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");

describe("reference and naive solutions regrade to their expected verdicts", () => {
  let backend: BackendInfo;
  beforeAll(async () => {
    backend = await initBackend();
  });
  const grade = (exerciseId: string, which: "reference" | "naive") => {
    const set = solutions[exerciseId];
    if (!set) throw new Error(`no solutions for ${exerciseId}`);
    const exercise = getExercise(exerciseId);
    if (exercise.step !== 7) return gradeLocally(exercise, set[which], { ...backend, slice, cacheDir });
    // Step 7 on CI slices: the full-data target is out of reach on 2,000 examples, so it is lowered here.
    const previous = solutions[exerciseId.replace("regularize", "overfit")]?.reference;
    return gradeLocally({ ...exercise, target: 0.75 }, set[which], { ...backend, slice, cacheDir, previous });
  };

  it("every training exercise ships a reference and a naive solution", () => {
    for (const exercise of listExercises().filter((e) => e.kind === "training")) {
      expect(solutions[exercise.id], exercise.id).toBeDefined();
    }
  });

  it.each([
    ["mnist-beat-baseline", "beats-baseline"],
    ["imdb-beat-baseline", "beats-baseline"],
    ["mnist-overfit", "overfits"],
    ["imdb-overfit", "overfits"],
    ["mnist-regularize", "smaller-gap"],
    ["imdb-regularize", "smaller-gap"],
  ])("%s: the reference solution passes %s", async (id, check) => {
    const verdict = await grade(id, "reference");
    expect(verdict.status, verdict.summary).toBe("passed");
    expect(verdict.checks.find((c) => c.id === check)?.passed).toBe(true);
    if (check === "overfits") expect(verdict.curves.overfitEpoch).toBeGreaterThanOrEqual(1);
  });

  it.each([["mnist-regularize"], ["imdb-regularize"]])("%s: the unchanged step-6 model does not narrow the gap", async (id) => {
    const verdict = await grade(id, "naive");
    expect(verdict.status).toBe("failed");
    expect(verdict.checks.find((c) => c.id === "smaller-gap")?.passed).toBe(false);
    expect(verdict.metrics.testAccuracy?.label).toMatch(/train\+validation/);
  });

  it.each([["mnist-overfit"], ["imdb-overfit"]])("%s: the naive solution is told it has not overfit yet, and what to try", async (id) => {
    const verdict = await grade(id, "naive");
    expect(verdict.status).toBe("failed");
    const check = verdict.checks.find((c) => c.id === "overfits");
    expect(check?.passed).toBe(false);
    expect(check?.message).toMatch(/epochs|units|layer/i);
  });

  it.each([
    ["mnist-beat-baseline", undefined],
    ["imdb-beat-baseline", "softmax-single-unit"],
  ])("%s: the naive solution fails for the right reason", async (id, diagnostic) => {
    const verdict = await grade(id, "naive");
    expect(verdict.status).toBe("failed");
    expect(verdict.checks.find((c) => c.id === "beats-baseline")?.passed).toBe(false);
    if (diagnostic) expect(verdict.diagnostics.map((d) => d.code)).toContain(diagnostic);
  });
});
