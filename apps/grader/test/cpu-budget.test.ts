/**
 * Budgets count the training child's CPU time, with a wall-clock ceiling behind them: a child that
 * burns CPU is stopped by the CPU limit however fast the machine is, and one that blocks or sleeps
 * (using no CPU) by the wall-clock ceiling. The limits are far apart, so neither case can be decided
 * by the other clock on a slow or busy machine.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { findExercise } from "@stepwise/exercises";
import { prepareTraining } from "@stepwise/exercises/grading";
import { solutions } from "@stepwise/exercises/solutions";
import { cpuLimitMs, GraderConfig } from "../src/config";
import type { TrainRequest } from "../src/protocol";
import { runTrainingChild } from "../src/sandbox";
import { testConfig } from "./helpers";

const standIn = join(import.meta.dirname, "fixtures", "stand-in-child.ts");

function request(jobId: string): TrainRequest {
  const exercise = findExercise("mnist-beat-baseline");
  const reference = solutions["mnist-beat-baseline"]?.reference as SubmissionPayload;
  if (!exercise) throw new Error("mnist-beat-baseline exists");
  const prepared = prepareTraining(exercise, reference, exercise.seed);
  return {
    type: "train",
    jobId,
    topology: prepared.topology,
    training: prepared.training,
    dataset: prepared.dataset,
    data: { trainLimit: 100, testLimit: 10 },
    seed: 1,
    dataSeed: 1,
    maxSeconds: 1,
    task: prepared.task,
    backend: "auto",
    cacheDir: testConfig("file:unused").cacheDir,
  };
}

describe("CPU-time budgets of training children", () => {
  it.each([
    { jobId: "burn", clock: "cpu", cpuLimitMs: 1_000, hardTimeoutMs: 300_000 },
    { jobId: "sleep", clock: "wall", cpuLimitMs: 300_000, hardTimeoutMs: 3_000 },
  ])("a child that does $jobId is stopped by the $clock ceiling", async ({ jobId, clock, ...limits }) => {
    const outcome = await runTrainingChild(request(jobId), { script: standIn, memoryMb: 1024, rssEveryMs: 50, ...limits });
    if (outcome.kind !== "timeout")
      throw new Error(`expected a timeout, got ${outcome.kind}${"message" in outcome ? `: ${outcome.message}` : ""}`);
    expect(outcome.clock).toBe(clock);
    if (clock === "cpu") expect(outcome.cpuMs).toBeGreaterThan(limits.cpuLimitMs);
    else {
      expect(outcome.wallMs).toBeGreaterThanOrEqual(limits.hardTimeoutMs);
      expect(outcome.cpuMs).toBeLessThan(limits.cpuLimitMs);
    }
  });

  it.each([
    { budgetSeconds: 120, graceMs: 60_000, ceilingMs: 1_800_000, limitMs: 180_000 },
    { budgetSeconds: 10_000, graceMs: 60_000, ceilingMs: 20_000, limitMs: 20_000 },
    { budgetSeconds: 5, graceMs: 0, ceilingMs: 1_800_000, limitMs: 5_000 },
  ])("a run with a $budgetSeconds s budget may use $limitMs ms of CPU", ({ budgetSeconds, graceMs, ceilingMs, limitMs }) => {
    expect(cpuLimitMs({ cpuGraceMs: graceMs, cpuCeilingMs: ceilingMs }, budgetSeconds)).toBe(limitMs);
  });

  it("the CPU keys are parsed with the configuration, in ms", () => {
    const config = GraderConfig.parse({
      databaseUrl: "file:x",
      cacheDir: "/tmp",
      workerId: "w",
      cpuGraceMs: "5000",
      cpuCeilingMs: "90000",
    });
    expect(config).toMatchObject({ cpuGraceMs: 5_000, cpuCeilingMs: 90_000, hardTimeoutMs: 3_600_000 });
  });
});
