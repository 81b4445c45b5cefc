import { submissionsFor } from "@stepwise/db";
import { expect, it } from "vitest";
import { useWorld, validPayload } from "./helpers";

const w = useWorld();

const callerWith = (graderGflops: number) => w.as(w.student, { graderGflops });

it("rejects a model whose estimated grader time exceeds the budget, saying by how much, before storing it", async () => {
  // At 0.001 GFLOPS even the small reference model needs hours: the estimate, not the params, is over.
  const slow = await callerWith(0.001);
  await expect(slow.submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).rejects.toMatchObject({
    code: "BAD_REQUEST",
    message: expect.stringMatching(/training would take about [\d,.]+ seconds; this exercise allows 120 \([\d.]+× over\)/i) as unknown,
  });
  expect(await submissionsFor(w.db, { assignmentId: w.assignment.id, userId: w.student.id })).toEqual([]);

  // At the grader's measured throughput the same model is well within budget.
  const fast = await callerWith(8);
  await expect(fast.submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).resolves.toMatchObject({
    status: "queued",
  });
});
