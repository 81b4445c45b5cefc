import { claimJob, completeJob } from "@stepwise/db";
import { sampleVerdict } from "@stepwise/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mergeHistories } from "../src/lib/curves";
import { validPayload, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

/** Submits as the student and lets a fake grader store a verdict with these losses. */
async function graded(losses: number[]): Promise<string> {
  const { submissionId } = await (await w.as(w.student)).submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
  w.clock.advance(1_000);
  const claimed = await claimJob(w.db, { workerId: "t", leaseMs: 60_000, now: w.clock.now() });
  if (!claimed) throw new Error("no job to claim");
  const history = losses.map((loss, i) => ({
    epoch: i + 1,
    loss,
    valLoss: loss + 0.1,
    accuracy: 1 - loss,
    valAccuracy: 0.9 - loss,
    seconds: 1,
  }));
  await completeJob(w.db, {
    jobId: claimed.job.id,
    workerId: "t",
    verdict: { ...sampleVerdict("passed"), curves: { history } },
    now: w.clock.now(),
  });
  return submissionId;
}

describe("submission.compare", () => {
  it("returns both submissions' curves in the order asked", async () => {
    const a = await graded([0.9, 0.5]);
    const b = await graded([0.8, 0.4, 0.3]);
    const result = await (await w.as(w.student)).submission.compare({ submissionIds: [b, a] });
    expect(result.submissions.map((s) => s.id)).toEqual([b, a]);
    expect(result.submissions.map((s) => s.history.map((h) => h.loss))).toEqual([
      [0.8, 0.4, 0.3],
      [0.9, 0.5],
    ]);
    expect(result.submissions[0]?.status).toBe("passed");
  });

  it("lets the course's instructor compare, and nobody else", async () => {
    const a = await graded([0.9]);
    const b = await graded([0.7]);
    await expect((await w.as(w.instructor)).submission.compare({ submissionIds: [a, b] })).resolves.toMatchObject({
      assignment: { id: w.assignment.id },
    });
    await expect((await w.as(w.other)).submission.compare({ submissionIds: [a, b] })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses submissions to different assignments", async () => {
    const a = await graded([0.9]);
    const second = await w.addAssignment({});
    const { submissionId: b } = await (await w.as(w.student)).submission.create({ assignmentId: second.id, payload: validPayload() });
    await expect((await w.as(w.student)).submission.compare({ submissionIds: [a, b] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/same assignment/) as unknown,
    });
  });
});

describe("mergeHistories", () => {
  it("aligns two curves by epoch, one column per submission and series", () => {
    const rows = mergeHistories([
      [
        { epoch: 1, loss: 1, valLoss: 1.1, seconds: 1 },
        { epoch: 2, loss: 0.5, seconds: 1 },
      ],
      [{ epoch: 1, loss: 2, seconds: 1 }],
    ]);
    expect(rows).toEqual([
      { epoch: 1, a_loss: 1, a_valLoss: 1.1, b_loss: 2 },
      { epoch: 2, a_loss: 0.5 },
    ]);
  });
});
