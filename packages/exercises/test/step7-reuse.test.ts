/**
 * Step 7 reuses the student's graded step-6 run as its "before" run when nothing it depends on
 * differs, and retrains it (saying what differed) otherwise — real small runs on an MNIST slice.
 * The reused comparison equals the retrained one bitwise.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, type BackendInfo } from "@stepwise/core/backend";
import type { SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import { getExercise } from "../src";
import { gradeLocally, gradeSubmission, inProcessRunner, REUSED, type RunRecord } from "../src/grading";
import { cacheDir, referenceOf, withFitSettings } from "./experiment-models";

const slice = { trainLimit: 300, testLimit: 100 };
const step6 = { ...getExercise("mnist-overfit"), data: slice };
const step7 = { ...getExercise("mnist-regularize"), data: slice, target: 0.5 };
const small = (payload: SubmissionPayload) => withFitSettings(payload, { epochs: 2, batchSize: 64 });
const model6 = small(referenceOf("mnist-overfit"));
const model7 = small(referenceOf("mnist-regularize"));

let backend: BackendInfo;
let record: RunRecord;
beforeAll(async () => {
  backend = await initBackend();
  const verdict = await gradeLocally(step6, model6, {
    tf: backend.tf,
    backend: backend.backend,
    tfjsVersion: backend.tfjsVersion,
    slice,
    cacheDir,
  });
  const run = verdict.environment?.run;
  if (!run) throw new Error(`the step-6 verdict records its run: ${JSON.stringify(verdict.environment)}`);
  record = run;
});

/** Grades step 7 in this process, naming each training the runner was asked for. */
async function gradeStep7(previousRun: RunRecord | undefined, previous = model6): Promise<{ verdict: Verdict; trained: string[] }> {
  const trained: string[] = [];
  const verdict = await gradeSubmission({
    exercise: step7,
    payload: model7,
    slice,
    cacheDir,
    previous,
    ...(previousRun ? { previousRun } : {}),
    runtime: { backend: backend.backend },
    run: (run) => {
      trained.push(run.label);
      return inProcessRunner({ tf: backend.tf, backend: backend.backend, tfjsVersion: backend.tfjsVersion, cacheDir })(run);
    },
  });
  return { verdict, trained };
}

describe("step 7's before run", () => {
  it("records the graded step-6 run with its verdict: a fingerprint of each part and its epochs", () => {
    expect(Object.keys(record.parts).sort()).toEqual(["backend", "code", "data", "model", "seed", "split", "training"]);
    expect(record.history).toHaveLength(2);
    expect(record.stopReason).toBe("completed");
  });

  it("reuses the step-6 run when nothing differs, and the comparison equals a retrained one bitwise", async () => {
    const reused = await gradeStep7(record);
    expect(reused.trained).toEqual(["after", "final"]);
    expect(reused.verdict.environment?.before).toBe(REUSED);
    const retrained = await gradeStep7(undefined);
    expect(retrained.trained).toEqual(["before", "after", "final"]);
    expect(retrained.verdict.environment?.before).toBe("Before: your step-6 model, retrained because its graded run was not recorded.");
    const numbers = (v: Verdict) => ({ status: v.status, score: v.score, checks: v.checks, metrics: v.metrics });
    expect(numbers(reused.verdict)).toEqual(numbers(retrained.verdict));
    expect(reused.verdict.metrics.gapBefore).toBeDefined();
  });

  it.each([["another validation split", withFitSettings(model6, { validationSplit: 0.25 }), "the training settings differ"]])(
    "retrains when the step-6 run had %s, and says what differed",
    async (_name, recordedWith, reason) => {
      const other = await gradeLocally(step6, small(recordedWith), {
        tf: backend.tf,
        backend: backend.backend,
        tfjsVersion: backend.tfjsVersion,
        slice,
        cacheDir,
      });
      const otherRun = other.environment?.run;
      const { verdict, trained } = await gradeStep7(otherRun);
      expect(trained).toContain("before");
      expect(verdict.environment?.before).toMatch(new RegExp(`^Before: your step-6 model, retrained because .*${reason}`));
    },
  );
});
