/**
 * What the student's claimed metric does to a verdict: a browser preview (a subset, another backend)
 * is shown beside the grader's number and never checked; only a claim made on the same data and
 * settings is compared, and even a failed one never fails a passing verdict.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SubmissionPayload } from "@stepwise/core/contracts";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import { getExercise } from "../src";
import { gradeLocally } from "../src/grading";
import { solutions } from "../src/solutions";

const cacheDir = join(import.meta.dirname, "..", "..", "..", "data", "cache");
const slice = { trainLimit: 1_500, testLimit: 500 };
const exercise = getExercise("mnist-beat-baseline");

let backend: BackendInfo;
beforeAll(async () => {
  backend = await initBackend();
});

const withClaim = (claimed: unknown) => SubmissionPayload.parse({ ...solutions["mnist-beat-baseline"]?.reference, claimed });

describe("claims", () => {
  it("a preview's metric is shown as a preview on N examples, never as a failed claim", async () => {
    const verdict = await gradeLocally(exercise, withClaim({ metric: "valAccuracy", value: 0.5, source: "preview", examples: 6000 }), {
      ...backend,
      slice,
      cacheDir,
    });
    expect(verdict.status).toBe("passed");
    expect(verdict.checks.map((c) => c.id)).not.toContain("claim-reproduced");
    expect(verdict.metrics.preview).toEqual({
      label: "Your browser preview's validation accuracy, on 6,000 examples (a preview, not graded)",
      value: 0.5,
    });
  });

  it("a claim stored before claims had a source is read as a preview", () => {
    expect(withClaim({ metric: "valAccuracy", value: 0.867 }).claimed?.source).toBe("preview");
  });

  it("a claim on the full data with the submitted settings is checked, and a wrong one does not fail a passing model", async () => {
    const verdict = await gradeLocally(exercise, withClaim({ metric: "valAccuracy", value: 0.2, source: "full" }), {
      ...backend,
      slice,
      cacheDir,
    });
    expect(verdict.status).toBe("passed");
    const claim = verdict.checks.find((c) => c.id === "claim-reproduced");
    expect(claim?.passed).toBe(false);
    expect(claim?.message).toMatch(/Your claimed validation accuracy 0\.200 differs from the grader's/);
    expect(verdict.metrics.preview).toBeUndefined();
  });
});
