import { describe, expect, it } from "vitest";
import type { Verdict } from "@stepwise/core/contracts";
import { initBackend } from "@stepwise/core/backend";
import { getExercise } from "@stepwise/exercises";
import { gradeLocally, trainingSeeds } from "@stepwise/exercises/grading";
import { solutions } from "@stepwise/exercises/solutions";
import { testConfig } from "./helpers";

// The house-price table is small: graded whole, in this process (the path `stepwise grade --seeds` takes).
const cacheDir = testConfig("file::memory:").cacheDir;
let backend: ReturnType<typeof initBackend> | undefined;

async function grade(exerciseId: string, which: "reference" | "naive", seeds: number): Promise<Verdict> {
  const set = solutions[exerciseId];
  if (!set) throw new Error(`no solutions for ${exerciseId}`);
  // Step 7 retrains the student's step-6 model for the comparison.
  const previous = solutions[exerciseId.replace("regularize", "overfit")]?.reference;
  return gradeLocally(getExercise(exerciseId), set[which], {
    ...(await (backend ??= initBackend())),
    cacheDir,
    seeds,
    ...(previous ? { previous } : {}),
  });
}

describe("N training seeds on a regression (house prices)", () => {
  it("step 6 passes when a majority of seeds overfit, with the first seed's curves and each seed's MAE", async () => {
    const verdict = await grade("houses-overfit", "reference", 3);
    const overfit = verdict.metrics.seedsOverfit?.value ?? 0;
    const check = verdict.checks.find((c) => c.id === "overfits");
    expect(check?.message).toMatch(new RegExp(`${overfit} of 3 training seeds overfit`));
    expect(verdict.status).toBe(overfit >= 2 ? "passed" : "failed");
    expect(verdict.status).toBe("passed");
    expect(verdict.environment?.seeds).toEqual(trainingSeeds(getExercise("houses-overfit").seed, 3));
    const perSeed = [1, 2, 3].map((i) => verdict.metrics[`testMaeSeed${i}`]?.value ?? Number.NaN);
    expect(verdict.metrics.testMae?.value).toBeCloseTo(perSeed.reduce((a, b) => a + b, 0) / 3, 6);
    expect(verdict.metrics.testMae?.label).toMatch(/mean over 3 training seeds/);
    expect(verdict.metrics.bestEpoch?.label).toMatch(/first seed/);

    // The curves are the first seed's: the one-seed grading's exactly.
    const single = await grade("houses-overfit", "reference", 1);
    const curve = (v: Verdict) => v.curves.history.map(({ loss, valLoss }) => [loss, valLoss]);
    expect(curve(verdict)).toEqual(curve(single));
    expect(verdict.curves.overfitEpoch).toBe(single.curves.overfitEpoch);
    expect(perSeed[0]).toBe(single.metrics.testMae?.value);
  });

  it("step 6 fails when only a minority overfits, saying how many were needed", async () => {
    const verdict = await grade("houses-overfit", "naive", 3);
    expect(verdict.status).toBe("failed");
    expect(verdict.checks.find((c) => c.id === "overfits")?.message).toMatch(
      /^Only [01] of 3 training seeds overfit; a majority \(2\) is needed/,
    );
  });

  it("step 5 regression: every seed must beat the training-mean baseline; MAE mean ± std with a t-interval", async () => {
    const verdict = await grade("houses-beat-baseline", "reference", 2);
    expect(verdict.status).toBe("passed");
    const mae = verdict.metrics.testMae;
    expect(mae?.interval?.lower).toBeLessThan(mae?.value ?? 0);
    expect(mae?.value).toBeLessThan(verdict.metrics.baselineMae?.value ?? 0);
    expect(verdict.metrics.testMaeStd?.value).toBeGreaterThan(0);
    expect(verdict.checks.find((c) => c.id === "beats-baseline")?.message).toMatch(
      /All 2 training seeds beat the baseline: test MAE .* ± .*conservative/,
    );
  });

  it("step 7 keeps one training seed (it already trains three models) and says so", async () => {
    const verdict = await grade("houses-regularize", "reference", 3);
    expect(verdict.summary).toMatch(/Graded with one training seed, not this assignment's 3: step 7 already retrains three models\./);
    expect(verdict.environment?.seeds).toEqual([getExercise("houses-regularize").seed]);
  });
});
