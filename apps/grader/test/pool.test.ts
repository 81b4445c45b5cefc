/**
 * Warm training children reused between runs: the same request gives the same curves and
 * predictions in a reused child as in a fresh one, a child is replaced after its runs or after
 * a failure, and an out-of-memory run of a reused child is tried again in a fresh process.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { findExercise } from "@stepwise/exercises";
import { prepareTraining } from "@stepwise/exercises/grading";
import { solutions } from "@stepwise/exercises/solutions";
import type { TrainRequest } from "../src/protocol";
import { runTrainingChild, WarmPool, type ChildOutcome } from "../src/sandbox";
import { testConfig } from "./helpers";

const exercise = findExercise("mnist-beat-baseline");
const reference = solutions["mnist-beat-baseline"]?.reference as SubmissionPayload;

function request(): TrainRequest {
  if (!exercise || exercise.kind !== "training" || !reference.training)
    throw new Error("mnist-beat-baseline is a training exercise with a reference training config");
  const training = reference.training;
  const prepared = prepareTraining(
    exercise,
    { ...reference, training: { ...training, fit: { ...training.fit, epochs: 2 } } },
    exercise.seed,
  );
  return {
    type: "train",
    jobId: "pool-test",
    topology: prepared.topology,
    training: prepared.training,
    dataset: prepared.dataset,
    data: { trainLimit: 1_000, testLimit: 200 },
    seed: exercise.seed,
    dataSeed: exercise.seed,
    maxSeconds: 120,
    task: prepared.task,
    backend: "auto",
    cacheDir: testConfig("file:unused").cacheDir,
  };
}

const done = (outcome: ChildOutcome) => {
  if (outcome.kind !== "done")
    throw new Error(`expected a finished run, got ${outcome.kind}${"message" in outcome ? `: ${outcome.message}` : ""}`);
  return outcome;
};

describe("warm pool: children reused between runs", () => {
  let pool: WarmPool | undefined;
  afterEach(() => pool?.close());

  it("a reused child trains the same model to the same curves and predictions, and is replaced after its runs", async () => {
    pool = new WarmPool(1, 2048, "auto", 3);
    const options = { pool, memoryMb: 2048, hardTimeoutMs: 120_000 };
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(done(await runTrainingChild(request(), options)));
    // Runs 2 and 3 went to the first child; its successor was forked while run 3 trained and took run 4.
    expect(pool.stats).toEqual({ started: 2, reuses: 2 });
    // Wall-clock seconds differ (a reused child has its code compiled already); nothing else may.
    const curves = (outcome: ChildOutcome & { kind: "done" }) => outcome.report.history.map(({ seconds: _, ...metrics }) => metrics);
    const [first, ...rest] = runs;
    if (!first) throw new Error("no run finished");
    for (const run of rest) {
      expect(curves(run)).toEqual(curves(first));
      expect(run.predictions).toEqual(first?.predictions);
    }
  });

  it("a child whose run failed is not reused", async () => {
    pool = new WarmPool(1, 2048, "auto", 10);
    const options = { pool, memoryMb: 2048, hardTimeoutMs: 120_000 };
    done(await runTrainingChild(request(), options));
    const malformed = { ...request(), data: { trainLimit: -1, testLimit: 200 } };
    const failed = await runTrainingChild(malformed, options);
    expect(failed.kind).toBe("error");
    expect(failed.kind === "error" && failed.message).toMatch(/malformed training request/);
    done(await runTrainingChild(request(), options));
    // The failed child was killed and its successor forked at once; the next run went to it, fresh.
    expect(pool.stats).toEqual({ started: 2, reuses: 1 });
  });

  it("out of memory in a reused child is tried again in a fresh process before it is believed", async () => {
    pool = new WarmPool(1, 2048, "auto", 10);
    let restarts = 0;
    const options = { pool, memoryMb: 2048, hardTimeoutMs: 120_000, onRestart: () => (restarts += 1) };
    done(await runTrainingChild(request(), options));
    expect(restarts).toBe(0);
    // A cap below what any TF.js process holds: the reused child fails it, and so does the fresh one.
    const outcome = await runTrainingChild(request(), { ...options, memoryMb: 100, rssEveryMs: 20 });
    expect(outcome.kind).toBe("oom");
    expect(restarts).toBe(1);
    // A fresh child's out-of-memory is final: no second try.
    restarts = 0;
    const fresh = await runTrainingChild(request(), {
      memoryMb: 100,
      hardTimeoutMs: 120_000,
      rssEveryMs: 20,
      onRestart: () => (restarts += 1),
    });
    expect(fresh.kind).toBe("oom");
    expect(restarts).toBe(0);
  });
});
