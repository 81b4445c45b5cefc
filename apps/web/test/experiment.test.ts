import type { Verdict } from "@stepwise/core/contracts";
import { claimJob, completeExperimentJob, completeJob, countAttempts, type Db } from "@stepwise/db";
import { sampleVerdict } from "@stepwise/db/testing";
import { EXPERIMENTS } from "@stepwise/exercises/experiments";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { estimateExperimentSeconds, RUN_OVERHEAD_SECONDS } from "../src/server/services/experiments-cost";
import { placedExercise } from "../src/server/services/experiments";
import { validPayload, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

/** Submits the valid Dense model as the student, to `assignmentId` (the world's assignment by default). */
async function submission(assignmentId = w.assignment.id): Promise<string> {
  const caller = await w.as(w.student);
  return (await caller.submission.create({ assignmentId, payload: validPayload() })).submissionId;
}

/** Plays the grader: claims jobs until `jobId` is claimed, completing gradings it meets with `verdict`. */
async function grade(
  db: Db,
  jobId: string,
  outcome: { result: unknown } | { failed: string },
  verdict: Verdict = sampleVerdict("failed", 0.1),
) {
  for (;;) {
    const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now: w.clock.now() });
    if (!claimed) throw new Error(`job ${jobId} was never claimed`);
    if (claimed.job.id === jobId) {
      w.clock.advance(4_000);
      expect(await completeExperimentJob(db, { jobId, workerId: "w", outcome, now: w.clock.now() })).toBe("stored");
      return;
    }
    await completeJob(db, { jobId: claimed.job.id, workerId: "w", verdict, now: w.clock.now() });
  }
}

const flatLossVerdict: Verdict = {
  ...sampleVerdict("failed", 0.1),
  diagnostics: [{ code: "loss-flat", message: "The training loss did not move.", hint: "Check the learning rate." }],
};

const tinySubsetResult = {
  experiment: "tiny-subset",
  outcome: "cannot-fit",
  healthy: false,
  message: "After 60 epochs on just 100 examples your model reaches only 11.0% training accuracy.",
  hint: "Run label-as-input.",
  evidence: {
    kind: "curve",
    history: [
      { epoch: 1, loss: 2.3, accuracy: 0.1, seconds: 0.1 },
      { epoch: 2, loss: 2.29, accuracy: 0.11, seconds: 0.2 },
    ],
  },
  durationMs: 3100,
};

describe("experiment.run", () => {
  it("queues an experiment on the caller's own submission: it costs compute budget, never an attempt", async () => {
    const id = await submission();
    const caller = await w.as(w.student);
    const run = await caller.experiment.run({ submissionId: id, experiment: "tiny-subset" });
    expect(run.status).toBe("queued");
    const exercise = placedExercise(w.assignment);
    const estimate = estimateExperimentSeconds("tiny-subset", exercise, validPayload());
    expect(estimate).toBeGreaterThan(RUN_OVERHEAD_SECONDS);
    expect(run.estimateSeconds).toBeCloseTo(estimate, 1);
    expect(run.budget).toMatchObject({ budgetSeconds: 600, usedSeconds: 0, reservedSeconds: run.estimateSeconds });
    const job = await w.db.kysely.selectFrom("jobs").selectAll().where("id", "=", run.jobId).executeTakeFirstOrThrow();
    expect([job.purpose, job.experiment, job.submission_id]).toEqual(["experiment", "tiny-subset", id]);
    expect(await countAttempts(w.db, { assignmentId: w.assignment.id, userId: w.student.id })).toBe(1);
    expect((await caller.assignment.byId({ assignmentId: w.assignment.id })).assignment.attemptsUsed).toBe(1);
  });

  it.each([
    ["another student", "other", "FORBIDDEN", /only run experiments on your own submissions/],
    ["a student not enrolled in the course", "outsider", "FORBIDDEN", /not enrolled/],
    ["the course's instructor", "instructor", "FORBIDDEN", /only run experiments on your own submissions/],
  ] as const)("refuses %s", async (_name, who, code, message) => {
    const id = await submission();
    const caller = await w.as(w[who]);
    await expect(caller.experiment.run({ submissionId: id, experiment: "tiny-subset" })).rejects.toMatchObject({
      code,
      message: expect.stringMatching(message) as unknown,
    });
    expect(await w.db.kysely.selectFrom("jobs").select("id").where("purpose", "=", "experiment").execute()).toEqual([]);
  });

  it("refuses anonymous callers, unknown submissions and unknown experiments", async () => {
    const id = await submission();
    await expect((await w.as(null)).experiment.run({ submissionId: id, experiment: "tiny-subset" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    const caller = await w.as(w.student);
    await expect(caller.experiment.run({ submissionId: "nope", experiment: "tiny-subset" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // @ts-expect-error: not an experiment name
    await expect(caller.experiment.run({ submissionId: id, experiment: "rm -rf" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // @ts-expect-error: identity comes from the session, never from the input
    await expect(caller.experiment.run({ submissionId: id, experiment: "tiny-subset", userId: w.other.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("refuses an experiment the instructor has not allowed, and runs one that is", async () => {
    const assignment = await w.addAssignment({ overrides: { experiments: { allowed: ["loss-per-batch", "lr-range-test"] } } });
    const id = await submission(assignment.id);
    const caller = await w.as(w.student);
    await expect(caller.experiment.run({ submissionId: id, experiment: "tiny-subset" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(
        /has not allowed "Overfit a tiny subset" \(tiny-subset\) on this assignment; allowed experiments: loss-per-batch, lr-range-test/,
      ) as unknown,
    });
    await expect(caller.experiment.run({ submissionId: id, experiment: "loss-per-batch" })).resolves.toMatchObject({ status: "queued" });
  });

  it("refuses an experiment that does not apply to the task before anything is queued", async () => {
    const id = await submission();
    const caller = await w.as(w.student);
    await expect(caller.experiment.run({ submissionId: id, experiment: "label-scale" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/does not apply to a classification task/) as unknown,
    });
  });

  it("refuses a run once the compute budget is spent, saying by how much", async () => {
    const assignment = await w.addAssignment({ overrides: { experiments: { computeSeconds: 5 } } });
    const id = await submission(assignment.id);
    const caller = await w.as(w.student);
    const first = await caller.experiment.run({ submissionId: id, experiment: "tiny-subset" });
    expect(first.budget.leftSeconds).toBeLessThan(first.estimateSeconds);
    await expect(caller.experiment.run({ submissionId: id, experiment: "tiny-subset" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(
        /Running tiny-subset needs about 3(\.\d)? s of grader time; you have 1(\.\d)? s left of this assignment's 5 s experiment budget/,
      ) as unknown,
    });
    const off = await w.addAssignment({ overrides: { experiments: { computeSeconds: 0 } } });
    const other = await submission(off.id);
    await expect(caller.experiment.run({ submissionId: other, experiment: "tiny-subset" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/turned off/) as unknown,
    });
  });

  it("rate limits experiment requests like submissions", async () => {
    const id = await submission();
    const caller = await w.as(w.student);
    for (let i = 0; i < 5; i++) await caller.experiment.run({ submissionId: id, experiment: "data-shuffled" });
    await expect(caller.experiment.run({ submissionId: id, experiment: "data-shuffled" })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    w.clock.advance(61_000);
    await expect(caller.experiment.run({ submissionId: id, experiment: "data-shuffled" })).resolves.toMatchObject({ status: "queued" });
  });
});

describe("experiment.list, byId and suggestions", () => {
  it("lists every experiment with the caller's last result, the budget, and runs the caller may not see stay hidden", async () => {
    const assignment = await w.addAssignment({
      overrides: { experiments: { allowed: ["tiny-subset", "loss-per-batch", "label-scale"], computeSeconds: 300 } },
    });
    const id = await submission(assignment.id);
    const caller = await w.as(w.student);
    const queued = await caller.experiment.run({ submissionId: id, experiment: "tiny-subset" });
    await grade(w.db, queued.jobId, { result: tinySubsetResult });

    const list = await caller.experiment.list({ assignmentId: assignment.id });
    expect(list.experiments.map((e) => e.experiment)).toEqual([...EXPERIMENTS]);
    const byName = Object.fromEntries(list.experiments.map((e) => [e.experiment, e]));
    expect(byName["tiny-subset"]).toMatchObject({
      unavailable: null,
      last: { jobId: queued.jobId, status: "done", result: tinySubsetResult, failure: null },
    });
    expect(byName["lr-range-test"]?.unavailable).toBe("not allowed on this assignment");
    expect(byName["label-scale"]?.unavailable).toBe("does not apply to classification");
    expect(list.budget).toEqual({ budgetSeconds: 300, usedSeconds: 4, reservedSeconds: 0, leftSeconds: 296 });
    expect(list.latestSubmission?.id).toBe(id);

    const one = await caller.experiment.byId({ jobId: queued.jobId });
    expect(one).toMatchObject({
      experiment: "tiny-subset",
      title: "Overfit a tiny subset",
      status: "done",
      result: tinySubsetResult,
      chargedSeconds: 4,
    });
    await expect((await w.as(w.instructor)).experiment.byId({ jobId: queued.jobId })).resolves.toMatchObject({ jobId: queued.jobId });
    await expect((await w.as(w.other)).experiment.byId({ jobId: queued.jobId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.experiment.byId({ jobId: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Another student's Debugging page has nothing of this student's.
    const theirs = await (await w.as(w.other)).experiment.list({ assignmentId: assignment.id });
    expect(theirs.runs).toEqual([]);
    expect(theirs.budget.leftSeconds).toBe(300);
    await expect((await w.as(w.outsider)).experiment.list({ assignmentId: assignment.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("shows a run that did not fit the model with its reason", async () => {
    const id = await submission();
    const caller = await w.as(w.student);
    const queued = await caller.experiment.run({ submissionId: id, experiment: "label-as-input" });
    await grade(w.db, queued.jobId, { failed: "Label as input needs a model whose first layer is a Dense layer on a flat input." });
    const one = await caller.experiment.byId({ jobId: queued.jobId });
    expect(one).toMatchObject({ result: null, failure: expect.stringMatching(/Dense layer on a flat input/) as unknown });
  });

  it("suggests nothing to a student whose verdict is withheld, pass or fail alike; the instructor still gets the suggestions", async () => {
    const assignment = await w.addAssignment({
      overrides: { experiments: { allowed: ["loss-per-batch", "tiny-subset", "data-shuffled"] } },
    });
    const hidden = (status: "passed" | "failed"): Verdict => ({
      ...flatLossVerdict,
      status,
      checks: flatLossVerdict.checks.map((check) => ({ ...check, passed: status === "passed", visibility: "never" })),
    });
    const student = await w.as(w.student);
    const views = [];
    for (const status of ["passed", "failed"] as const) {
      const id = await submission(assignment.id);
      const queued = await student.experiment.run({ submissionId: id, experiment: "data-shuffled" });
      await grade(w.db, queued.jobId, { failed: "stopped" }, hidden(status));
      const { suggestions, runs, budget, canRun, applicable } = await student.experiment.suggestions({ submissionId: id });
      views.push({ suggestions, runs: runs.length, budget: budget.budgetSeconds, canRun, applicable });
      expect((await (await w.as(w.instructor)).experiment.suggestions({ submissionId: id })).suggestions.length).toBeGreaterThan(0);
    }
    expect(views[0]).toEqual(views[1]);
    expect(views[0]?.suggestions).toEqual([]);
  });

  it("suggests the experiments that fit a failed verdict's diagnostics, as far as the assignment allows them", async () => {
    const assignment = await w.addAssignment({
      overrides: { experiments: { allowed: ["loss-per-batch", "tiny-subset", "data-shuffled"] } },
    });
    const id = await submission(assignment.id);
    const caller = await w.as(w.student);
    // Before a verdict: nothing to suggest.
    expect((await caller.experiment.suggestions({ submissionId: id })).suggestions).toEqual([]);
    const queued = await caller.experiment.run({ submissionId: id, experiment: "data-shuffled" });
    await grade(w.db, queued.jobId, { failed: "stopped" }, flatLossVerdict);

    const view = await caller.experiment.suggestions({ submissionId: id });
    // loss-flat → loss-per-batch, lr-range-test, tiny-subset, output-histogram; the assignment allows two of them.
    expect(view.suggestions.map((s) => s.experiment)).toEqual(["loss-per-batch", "tiny-subset"]);
    expect(view.suggestions[0]).toMatchObject({ title: "Is the loss decreasing?", reasons: ["the loss did not move"] });
    expect(view).toMatchObject({ canRun: true, debuggingHref: `/courses/${w.courseId}/assignments/${assignment.id}/debugging` });
    expect(view.runs.map((r) => r.jobId)).toEqual([queued.jobId]);
    // The instructor sees the same list but cannot run it; other students see nothing.
    expect((await (await w.as(w.instructor)).experiment.suggestions({ submissionId: id })).canRun).toBe(false);
    await expect((await w.as(w.other)).experiment.suggestions({ submissionId: id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // The verdict is still the grading's: the experiment did not replace it, nor cost an attempt.
    const shown = await caller.submission.byId({ submissionId: id });
    expect(shown.verdict?.diagnostics.map((d) => d.code)).toEqual(["loss-flat"]);
    expect(await countAttempts(w.db, { assignmentId: assignment.id, userId: w.student.id })).toBe(1);
  });
});

describe("estimateExperimentSeconds", () => {
  const exercise = () => placedExercise(w.assignment);
  const wider = () => {
    const payload = validPayload();
    const topology = structuredClone(payload.model?.topology) as { config: { layers: Array<{ config: Record<string, unknown> }> } };
    const first = topology.config.layers[0];
    if (first) first.config.units = 128;
    return { ...payload, model: { format: "tfjs" as const, topology: topology as unknown as Record<string, unknown> } };
  };

  it("charges the fixed cost of a run plus the model's training work, which grows with the model and the experiment", () => {
    const small = estimateExperimentSeconds("label-as-input", exercise(), validPayload());
    const big = estimateExperimentSeconds("label-as-input", exercise(), wider());
    expect(small).toBeGreaterThan(RUN_OVERHEAD_SECONDS);
    expect(big).toBeGreaterThan(small);
    // label-as-input trains 30 epochs on the slice; tiny-subset 60 epochs on 100 examples.
    expect(estimateExperimentSeconds("tiny-subset", exercise(), validPayload())).toBeLessThan(small);
    // A slower grader takes longer.
    expect(estimateExperimentSeconds("label-as-input", exercise(), validPayload(), 1)).toBeGreaterThan(small);
  });

  it.each(["data-shuffled", "label-scale"] as const)("charges %s, which trains nothing, only the fixed cost", (name) => {
    expect(estimateExperimentSeconds(name, exercise(), validPayload())).toBe(RUN_OVERHEAD_SECONDS);
  });

  it("charges a model that no longer parses only the fixed cost: the grader turns it away at once", () => {
    const broken = {
      ...validPayload(),
      model: { format: "tfjs" as const, topology: { class_name: "Sequential", config: { layers: [] } } },
    };
    expect(estimateExperimentSeconds("label-as-input", exercise(), broken)).toBe(RUN_OVERHEAD_SECONDS);
  });
});
