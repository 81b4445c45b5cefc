import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import {
  cancelJob,
  countAttempts,
  enqueueExperiment,
  experimentRunById,
  jobLog,
  progressSince,
  submissionsFor,
  type Db,
  type ExperimentRun,
} from "@stepwise/db";
import { ExperimentResult } from "@stepwise/exercises/experiments";
import { solutions } from "@stepwise/exercises/solutions";
import { enrolledIds, openGradedDb, submit, type GradedDb } from "./helpers";

const mnist = solutions["mnist-beat-baseline"];
const credit = solutions["credit-beat-baseline"];
if (!mnist || !credit) throw new Error("the MNIST and credit step-5 solutions are missing");

async function waitForRun(db: Db, jobId: string, timeoutMs = 110_000): Promise<ExperimentRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await experimentRunById(db, jobId);
    if (run && (run.outcome !== null || run.status === "dead")) return run;
    if (Date.now() > deadline)
      throw new Error(`experiment job ${jobId} did not finish within ${timeoutMs} ms (${run?.status ?? "missing"})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("grader: experiment jobs in a sandboxed child on a small MNIST slice", () => {
  let graded: GradedDb;
  let db: Db;
  let ids: { assignmentId: string; userId: string };
  let creditIds: { assignmentId: string; userId: string };

  beforeAll(async () => {
    graded = await openGradedDb(async (d) => {
      ids = await enrolledIds(d, "mnist-beat-baseline");
      creditIds = await enrolledIds(d, "credit-beat-baseline");
    });
    db = graded.db;
  });
  afterAll(() => graded.close());

  /** A submission whose grading is cancelled at once, so the grader spends its time on the experiment. */
  async function experimentOn(payload: SubmissionPayload, experiment: string, on = ids) {
    const { submission, job } = await submit(db, on, payload);
    await cancelJob(db, job.id, Date.now());
    const queued = await enqueueExperiment(db, {
      submissionId: submission.id,
      userId: on.userId,
      experiment,
      budgetSeconds: 600,
      perMinute: 100,
      estimateSeconds: () => 10,
      now: Date.now(),
    });
    return { submission, run: await waitForRun(db, queued.job.id) };
  }

  it("runs tiny-subset on the naive model (learning rate 1e-7): it cannot fit 100 examples, and the result is stored", async () => {
    const { submission, run } = await experimentOn(mnist.naive, "tiny-subset");
    expect(run.status).toBe("done");
    expect(run.outcome?.kind).toBe("result");
    const result = ExperimentResult.parse(run.outcome?.kind === "result" ? run.outcome.result : null);
    expect(result).toMatchObject({ experiment: "tiny-subset", outcome: "cannot-fit", healthy: false });
    expect(result.message).toMatch(/After 60 epochs on just 100 examples/);
    if (result.evidence.kind !== "curve") throw new Error(`expected a curve, got ${result.evidence.kind}`);
    expect(result.evidence.history).toHaveLength(60);
    expect(result.evidence.history.at(-1)?.accuracy).toBeLessThan(0.5);
    // Charged its measured grader time, not its estimate.
    expect(run.chargedSeconds).toBeCloseTo(((run.finishedAt ?? 0) - (run.startedAt ?? 0)) / 1000, 5);
    expect(run.chargedSeconds).toBeGreaterThan(0);
    // Progress streamed from the child; the log says how the child ended.
    const events = await progressSince(db, run.jobId, 0);
    expect(events[0]?.event.type).toBe("started");
    expect(events.filter((e) => e.event.type === "epoch")).toHaveLength(60);
    expect(await jobLog(db, run.jobId)).toMatch(/experiment tiny-subset on mnist-beat-baseline[\s\S]*experiment child ended: experiment/);
    // Not a verdict and not an attempt.
    expect((await submissionsFor(db, ids)).find((s) => s.id === submission.id)?.verdict).toBeNull();
    expect(await countAttempts(db, ids)).toBe(0);
  });

  it("runs the same experiment on the reference model and finds the opposite: the answer comes from the student's model", async () => {
    const { run } = await experimentOn(mnist.reference, "tiny-subset");
    const result = ExperimentResult.parse(run.outcome?.kind === "result" ? run.outcome.result : null);
    expect(result).toMatchObject({ experiment: "tiny-subset", outcome: "fits", healthy: true });
  });

  it("stores an experiment that does not apply to the task as a failed run with its reason, without retrying it", async () => {
    const { run } = await experimentOn(mnist.reference, "label-scale");
    expect(run).toMatchObject({ status: "done", attempts: 1 });
    expect(run.outcome?.kind).toBe("failed");
    expect(run.outcome?.kind === "failed" ? run.outcome.message : "").toMatch(/regression/i);
  });

  it("runs on a CSV table encoded by the grader's parent: one-feature trains on its most telling columns, named", async () => {
    const { run } = await experimentOn(credit.reference, "one-feature", creditIds);
    const result = ExperimentResult.parse(run.outcome?.kind === "result" ? run.outcome.result : null);
    expect(result.experiment).toBe("one-feature");
    if (result.evidence.kind !== "one-feature") throw new Error(`expected one-feature evidence, got ${result.evidence.kind}`);
    expect(result.evidence.features).toBeLessThan(result.evidence.fullFeatures);
    // The parent passed the encoded column names along with the training rows.
    expect(result.evidence.input).toMatch(/"[a-z_]+[^"]*"/);
    expect(result.evidence.history.length).toBeGreaterThan(0);
  });
});
