import { submissionsFor } from "@stepwise/db";
import { expect, it } from "vitest";
import { useWorld, validPayload } from "./helpers";

const w = useWorld();

const callerWith = (graderGflops: number) => w.as(w.student, { graderGflops });

/** Grader throughput at which one run of the reference model takes `share` of the 120 s budget, read off the estimate itself. */
async function gflopsForShare(share: number): Promise<number> {
  const slow = await callerWith(0.001);
  const error = await slow.submission.create({ assignmentId: w.assignment.id, payload: validPayload() }).then(
    () => {
      throw new Error("expected the estimate to reject at 0.001 GFLOPS");
    },
    (e: unknown) => e,
  );
  const seconds = Number(/about ([\d,.]+) seconds/.exec(error instanceof Error ? error.message : "")?.[1]?.replaceAll(",", ""));
  expect(seconds).toBeGreaterThan(120);
  return (seconds * 0.001) / (share * 120);
}

it("counts the assignment's N seeds in the submit-time estimate: N× one run against one budget", async () => {
  const gflops = await gflopsForShare(0.4);
  const two = await w.addAssignment({ overrides: { seeds: 2 } });
  const three = await w.addAssignment({ overrides: { seeds: 3 } });
  const caller = await callerWith(gflops);

  // One run takes 0.4 of the budget: one seed and two seeds (0.8) fit, three (1.2) do not.
  await expect(caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).resolves.toMatchObject({
    status: "queued",
  });
  await expect(caller.submission.create({ assignmentId: two.id, payload: validPayload() })).resolves.toMatchObject({ status: "queued" });
  await expect(caller.submission.create({ assignmentId: three.id, payload: validPayload() })).rejects.toMatchObject({
    code: "BAD_REQUEST",
    message: expect.stringMatching(
      /retrains every model with 3 seeds, 3× the training of one run: about [\d,.]+ seconds .* allows 120 \(1\.2× over\)/,
    ) as unknown,
  });
  // Rejected before anything was stored: no attempt used.
  expect(await submissionsFor(w.db, { assignmentId: three.id, userId: w.student.id })).toEqual([]);
});
