import { submissionsFor } from "@stepwise/db";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createCaller } from "../src/server/root";
import { createContext } from "../src/server/trpc";
import { testConfig, validPayload, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

const callerWith = async (graderGflops: number) =>
  createCaller(await createContext({ db: w.db, config: { ...testConfig, graderGflops }, now: w.clock.now, sessionToken: await w.tokenFor(w.student) }));

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
  await expect(fast.submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).resolves.toMatchObject({ status: "queued" });
});
