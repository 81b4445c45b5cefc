import { ExerciseDefinition } from "@stepwise/core/contracts";
import { submissionsFor } from "@stepwise/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { submit } from "../src/server/services/submit";
import { testConfig, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

/** A small step-1 exercise built here, so the test does not depend on the catalogue's wording. */
const exercise = ExerciseDefinition.parse({
  id: "test-define-problem",
  step: 1,
  title: "Define the problem",
  summary: "Say what you predict.",
  kind: "answer",
  dataset: { kind: "mnist" },
  budgets: { maxParams: 1, maxEpochs: 1, maxBatchSize: 1, maxSeconds: 1 },
  questions: [
    {
      id: "task",
      prompt: "Which kind of problem is it?",
      kind: "choice",
      options: [
        { value: "binary", label: "Binary" },
        { value: "multiclass", label: "Multiclass" },
      ],
    },
    { id: "classes", prompt: "How many classes?", kind: "number" },
  ],
});

const send = (answers: Record<string, string | number | boolean>) =>
  submit(w.db, {
    assignment: w.assignment,
    exercise,
    budgets: exercise.budgets,
    user: w.student,
    payload: { exerciseId: exercise.id, answers },
    now: w.clock.now(),
    submissionsPerMinute: testConfig.submissionsPerMinute,
  });

describe("answer submissions", () => {
  it("stores valid answers with a queued job", async () => {
    const { submission, job } = await send({ task: "multiclass", classes: 10 });
    expect(job.status).toBe("queued");
    expect(submission.payload.answers).toEqual({ task: "multiclass", classes: 10 });
  });

  it.each([
    [{ task: "regression", classes: 10 }, /\(task\) expects one of "binary", "multiclass"/],
    [{ task: "multiclass", classes: "ten" }, /\(classes\) expects a number/],
    [{ task: "multiclass" }, /\(classes\) needs an answer/],
    [{ task: "multiclass", classes: 10, bonus: true }, /no question "bonus"/],
  ])("rejects %j before storing anything (no attempt used)", async (answers, message) => {
    await expect(send(answers)).rejects.toThrow(message);
    expect(await submissionsFor(w.db, { assignmentId: w.assignment.id, userId: w.student.id })).toHaveLength(0);
  });
});
