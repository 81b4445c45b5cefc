import type { SubmissionPayload } from "@stepwise/core/contracts";
import {
  appendProgress,
  claimJob,
  completeExperimentJob,
  countAttempts,
  createAssignment,
  publishCalibration,
  type Assignment,
  type GraderCalibration,
} from "@stepwise/db";
import { getExercise } from "@stepwise/exercises";
import { estimateTuning, TuningResult, WARM_TRAINING_OVERHEAD_SECONDS, type TuningSearch } from "@stepwise/exercises/tuning";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { placedExercise } from "../src/server/services/experiments";
import { SPEED_CACHE_MS } from "../src/server/services/grader-speed";
import { estimateTuneSeconds } from "../src/server/services/tuning-cost";
import { denseTopology, world, type World } from "./helpers";

const STEP7 = "mnist-regularize";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

/** The fixture's Dense 784→32→10 with a Dropout(0.3) after the hidden layer: a model every dimension can vary. */
function dropoutTopology(): Record<string, unknown> {
  const topology = denseTopology() as { config: { layers: unknown[] } };
  const [hidden, output] = topology.config.layers;
  return {
    ...topology,
    config: {
      ...topology.config,
      layers: [hidden, { class_name: "Dropout", config: { rate: 0.3, name: "dropout_Dropout1", trainable: true } }, output],
    },
  };
}

function step7Payload(topology: Record<string, unknown> = dropoutTopology()): SubmissionPayload {
  const exercise = getExercise(STEP7);
  if (!exercise.starterTraining) throw new Error(`Exercise ${STEP7} has no starter training settings`);
  return { exerciseId: STEP7, model: { format: "tfjs", topology }, training: exercise.starterTraining };
}

async function step7Assignment(overrides: Record<string, unknown> = {}): Promise<Assignment> {
  return createAssignment(
    w.db,
    {
      courseId: w.courseId,
      exerciseId: STEP7,
      title: "Regularize and tune",
      overrides,
      deadline: null,
      attemptsAllowed: null,
      position: 7,
    },
    w.clock.now(),
  );
}

async function submit(assignment: Assignment, who: "student" | "other" = "student", payload = step7Payload()): Promise<string> {
  return (await (await w.as(w[who])).submission.create({ assignmentId: assignment.id, payload })).submissionId;
}

const grid: TuningSearch = { strategy: "grid", trials: 3, space: { learningRate: [0.0003, 0.001, 0.003] } };

/** A stored result as the grader writes it: three trials, the second selected on validation, evaluated once on test. */
function sampleResult(search: TuningSearch = grid): TuningResult {
  const trial = (index: number, learningRate: number, validation: number) => ({
    index,
    values: { learningRate },
    status: "ok" as const,
    params: 25_450,
    validation,
    training: validation + 0.02,
    bestEpoch: 3,
    gap: 0.02,
    seconds: 1.5,
    history: [{ epoch: 1, loss: 0.5, accuracy: 0.85, valLoss: 0.45, valAccuracy: validation - 0.01, seconds: 0.5 }],
  });
  return TuningResult.parse({
    experiment: "tune",
    search,
    metric: { name: "accuracy", higherIsBetter: true, split: "validation" },
    trials: [trial(1, 0.0003, 0.9), trial(2, 0.001, 0.93), trial(3, 0.003, 0.91)],
    selected: 2,
    final: {
      status: "evaluated",
      metric: "accuracy",
      test: 0.925,
      epochs: 3,
      trainExamples: 2000,
      testExamples: 1000,
      seconds: 2,
      evaluations: { used: 2, limit: 3 },
    },
    backend: "cpu",
    seeds: { training: 1337, split: 1337, search: 1337 },
    trainExamples: 1600,
    durationMs: 7000,
  });
}

/** Plays the grader for one tuning job: claims it (other jobs are left alone only if none is ahead of it). */
async function claim(jobId: string) {
  for (;;) {
    const claimed = await claimJob(w.db, { workerId: "w", leaseMs: 60_000, now: w.clock.now() });
    if (!claimed) throw new Error(`job ${jobId} was never claimed`);
    if (claimed.job.id === jobId) return;
  }
}

describe("tuning.start", () => {
  it("queues a search on the caller's latest step-7 submission: it costs compute budget, never an attempt", async () => {
    const assignment = await step7Assignment();
    const id = await submit(assignment);
    const caller = await w.as(w.student);
    const run = await caller.tuning.start({ assignmentId: assignment.id, search: grid });
    expect(run).toMatchObject({ status: "queued", submissionId: id, trials: 3 });
    const estimate = estimateTuneSeconds(placedExercise(assignment), step7Payload(), grid);
    // Three trials and the final training, each with the fixed cost of a run.
    expect(estimate).toBeGreaterThan(4 * 3);
    expect(run.estimateSeconds).toBeCloseTo(estimate, 1);
    expect(run.budget).toMatchObject({ budgetSeconds: 600, usedSeconds: 0, reservedSeconds: run.estimateSeconds });
    const job = await w.db.kysely.selectFrom("jobs").selectAll().where("id", "=", run.jobId).executeTakeFirstOrThrow();
    expect([job.purpose, job.experiment, job.submission_id, JSON.parse(job.tuning_search ?? "null")]).toEqual([
      "experiment",
      "tune",
      id,
      grid,
    ]);
    expect(await countAttempts(w.db, { assignmentId: assignment.id, userId: w.student.id })).toBe(1);
  });

  it("tunes a named submission of the caller's instead of the latest", async () => {
    const assignment = await step7Assignment();
    const first = await submit(assignment);
    await submit(assignment);
    const run = await (await w.as(w.student)).tuning.start({ assignmentId: assignment.id, submissionId: first, search: grid });
    expect(run.submissionId).toBe(first);
  });

  it.each([
    ["a student not enrolled in the course", "outsider", {}, grid, "FORBIDDEN", /not enrolled/],
    [
      "tuning the toolbox does not allow",
      "student",
      { toolbox: { allowed: ["augmentation", "early-stopping"] } },
      grid,
      "FORBIDDEN",
      /has not allowed tuning on this assignment \(allowed techniques: augmentation, early-stopping\)/,
    ],
    [
      "more trials than the assignment allows",
      "student",
      { toolbox: { tuningTrials: 2 } },
      grid,
      "BAD_REQUEST",
      /at most 2 trials per search, got 3/,
    ],
    [
      "a grid larger than its trials",
      "student",
      {},
      { ...grid, trials: 2 },
      "BAD_REQUEST",
      /3 learningRate = 3 combinations, more than the 2 trials/,
    ],
    [
      "a search the compute budget cannot hold",
      "student",
      { experiments: { computeSeconds: 10 } },
      grid,
      "PRECONDITION_FAILED",
      /you have 10 s left of this assignment's 10 s experiment budget/,
    ],
    [
      "a search when experiments are turned off",
      "student",
      { experiments: { computeSeconds: 0 } },
      grid,
      "PRECONDITION_FAILED",
      /turned off/,
    ],
  ] as const)("refuses %s", async (_name, who, overrides, search, code, message) => {
    const assignment = await step7Assignment(overrides);
    await submit(assignment);
    await expect((await w.as(w[who])).tuning.start({ assignmentId: assignment.id, search })).rejects.toMatchObject({
      code,
      message: expect.stringMatching(message) as unknown,
    });
    expect(await w.db.kysely.selectFrom("jobs").select("id").where("purpose", "=", "experiment").execute()).toEqual([]);
  });

  it("refuses a step that is not step 7, before looking for a model", async () => {
    await expect((await w.as(w.student)).tuning.start({ assignmentId: w.assignment.id, search: grid })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/Tuning is part of step 7 \(regularize and tune\); this assignment is step 5/) as unknown,
    });
  });

  it("refuses without a submission, with another student's submission, and a search the model cannot take", async () => {
    const assignment = await step7Assignment();
    const caller = await w.as(w.student);
    await expect(caller.tuning.start({ assignmentId: assignment.id, search: grid })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/Submit a model on this step first/) as unknown,
    });
    const theirs = await submit(assignment, "other");
    await expect(caller.tuning.start({ assignmentId: assignment.id, submissionId: theirs, search: grid })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/your own submissions/) as unknown,
    });
    await submit(assignment, "student", step7Payload(denseTopology()));
    await expect(
      caller.tuning.start({ assignmentId: assignment.id, search: { strategy: "grid", trials: 2, space: { dropout: [0.2, 0.4] } } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/Searching dropout sets the rate of every Dropout layer; this model has none/) as unknown,
    });
    // Over the exercise's parameter budget in every trial: nothing would train.
    await expect(
      caller.tuning.start({ assignmentId: assignment.id, search: { strategy: "grid", trials: 1, space: { units: [4096] } } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/Every trial of this search would be skipped/) as unknown,
    });
  });

  it("refuses anonymous callers and malformed searches before anything else", async () => {
    const assignment = await step7Assignment();
    await submit(assignment);
    await expect((await w.as(null)).tuning.start({ assignmentId: assignment.id, search: grid })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    const caller = await w.as(w.student);
    await expect(
      caller.tuning.start({ assignmentId: assignment.id, search: { strategy: "grid", trials: 1, space: {} } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/search at least one of learningRate, units, layers, dropout/) as unknown,
    });
    await expect(
      caller.tuning.start({ assignmentId: assignment.id, search: { ...grid, space: { learningRate: [0] } } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // @ts-expect-error: identity comes from the session, never from the input
    await expect(caller.tuning.start({ assignmentId: assignment.id, search: grid, userId: w.other.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("tuning.estimate", () => {
  const training = { gflops: 36, stepSeconds: 0.0025 };
  /**
   * A grader's calibration with its measured training speed and, when given, the corrections its
   * trainings taught it. Published before the first request: the web app reads it at most once a minute.
   */
  const publishTraining = (corrections: Pick<GraderCalibration, "correction" | "corrections"> = {}) =>
    publishCalibration(w.db, {
      workerId: "g:1",
      host: "h",
      backend: "wasm+openblas",
      gflops: 20,
      training,
      ...corrections,
      measuredAt: w.clock.now(),
    });

  const eight: TuningSearch = {
    strategy: "random",
    trials: 8,
    space: { learningRate: [0.000333, 0.001, 0.003], dropout: [0.2, 0.3, 0.4] },
  };

  it("shows what a search will cost before it starts, the same figure start charges, and queues nothing", async () => {
    const assignment = await step7Assignment();
    await submit(assignment);
    const caller = await w.as(w.student);
    const cost = await caller.tuning.estimate({ assignmentId: assignment.id, search: grid });
    expect(cost).toMatchObject({ fits: true, proposal: null, leftSeconds: 600, trainings: 4, schedule: [{ trials: 3, epochs: 15 }] });
    expect((await caller.tuning.list({ assignmentId: assignment.id })).runs).toEqual([]);
    const run = await caller.tuning.start({ assignmentId: assignment.id, search: grid });
    expect(run.estimateSeconds).toBeCloseTo(cost.seconds, 1);
  });

  it("costs with the training speed a grader measured and published (steps and products, a warm child's overhead), and start holds that", async () => {
    const assignment = await step7Assignment();
    await publishTraining();
    await submit(assignment);
    const caller = await w.as(w.student);
    const cost = await caller.tuning.estimate({ assignmentId: assignment.id, search: grid });
    const exercise = placedExercise(assignment);
    const expected = estimateTuning(exercise, step7Payload(), grid, {
      gflops: 20,
      training,
      maxTrials: 8,
      overheadSeconds: WARM_TRAINING_OVERHEAD_SECONDS,
    });
    expect(cost.seconds).toBeCloseTo(expected.seconds, 1);
    // Not the matmul-derived figure with a fresh run's overhead: that is what a grader without the measurement gets.
    expect(cost.seconds).not.toBeCloseTo(estimateTuneSeconds(exercise, step7Payload(), grid, { gflops: 20 }), 0);
    const run = await caller.tuning.start({ assignmentId: assignment.id, search: grid });
    expect(run.estimateSeconds).toBeCloseTo(cost.seconds, 1);
  });

  it("scales the search by the correction the grader's trainings taught it: estimate, start and the experiments' view of the budget agree", async () => {
    const assignment = await step7Assignment();
    await publishTraining({ correction: 1.5 });
    const submissionId = await submit(assignment);
    const caller = await w.as(w.student);
    const cost = await caller.tuning.estimate({ assignmentId: assignment.id, search: grid });
    const exercise = placedExercise(assignment);
    const options = { gflops: 20, training, maxTrials: 8, overheadSeconds: WARM_TRAINING_OVERHEAD_SECONDS };
    const corrected = estimateTuning(exercise, step7Payload(), grid, { ...options, correction: 1.5 });
    expect(cost.seconds).toBeCloseTo(corrected.seconds, 1);
    // Half as much again as the calibration alone says.
    const plain = estimateTuning(exercise, step7Payload(), grid, options).seconds;
    expect(corrected.seconds).toBeCloseTo(plain * 1.5, 6);
    const run = await caller.tuning.start({ assignmentId: assignment.id, search: grid });
    expect(run.estimateSeconds).toBeCloseTo(cost.seconds, 1);
    // The queued search holds the same seconds in the budget the debugging experiments share.
    const { budget } = await caller.experiment.suggestions({ submissionId });
    expect(budget.leftSeconds).toBeCloseTo(600 - run.estimateSeconds, 0);
    expect((await caller.tuning.list({ assignmentId: assignment.id })).budget.leftSeconds).toBe(budget.leftSeconds);
  });

  it("uses the correction learnt on this exercise's dataset, not one learnt on another, and the overall one when it has none", async () => {
    const assignment = await step7Assignment();
    // IMDB's trainings ran faster than predicted and pulled the overall figure down; MNIST's own ran slower.
    await publishTraining({ correction: 0.8, corrections: { imdb: 0.7, mnist: 1.12 } });
    const submissionId = await submit(assignment);
    const exercise = placedExercise(assignment);
    const options = { gflops: 20, training, maxTrials: 8, overheadSeconds: WARM_TRAINING_OVERHEAD_SECONDS };
    const costed = (correction: number) => estimateTuning(exercise, step7Payload(), grid, { ...options, correction }).seconds;
    const caller = await w.as(w.student);
    const cost = await caller.tuning.estimate({ assignmentId: assignment.id, search: grid });
    expect(cost.seconds).toBeCloseTo(costed(1.12), 1);
    expect(cost.seconds).not.toBeCloseTo(costed(0.8), 0);
    expect(cost.seconds).not.toBeCloseTo(costed(0.7), 0);
    // Start and the experiments' view of the budget hold the same dataset's figure.
    const run = await caller.tuning.start({ assignmentId: assignment.id, search: grid });
    expect(run.estimateSeconds).toBeCloseTo(cost.seconds, 1);
    const { budget } = await caller.experiment.suggestions({ submissionId });
    expect(budget.leftSeconds).toBeCloseTo(600 - run.estimateSeconds, 0);

    // A grader that has trained only on IMDB: MNIST falls back to its overall figure, not to IMDB's.
    await publishTraining({ correction: 0.9, corrections: { imdb: 0.7 } });
    w.clock.advance(SPEED_CACHE_MS);
    const fallback = await caller.tuning.estimate({ assignmentId: assignment.id, search: grid });
    expect(fallback.seconds).toBeCloseTo(costed(0.9), 1);
    expect(fallback.seconds).not.toBeCloseTo(costed(0.7), 0);
  });

  it("proposes the same search with successive halving when the declared one does not fit, and fewer trials when that does not either", async () => {
    const caller = await w.as(w.student);
    const full = await step7Assignment();
    await submit(full);
    const declared = await caller.tuning.estimate({ assignmentId: full.id, search: eight });
    const halved = await caller.tuning.estimate({ assignmentId: full.id, search: { ...eight, halving: { factor: 3 } } });
    expect(halved.seconds).toBeLessThan(declared.seconds);
    expect(halved.schedule).toEqual([
      { trials: 8, epochs: 2 },
      { trials: 2, epochs: 5 },
      { trials: 1, epochs: 15 },
    ]);

    const tight = await step7Assignment({ experiments: { computeSeconds: Math.ceil(halved.seconds) } });
    await submit(tight);
    const cost = await caller.tuning.estimate({ assignmentId: tight.id, search: eight });
    expect(cost).toMatchObject({ fits: false, proposal: { search: { trials: 8, halving: { factor: expect.any(Number) as number } } } });
    expect(cost.proposal?.seconds).toBeLessThanOrEqual(Math.ceil(halved.seconds));

    const tighter = await step7Assignment({ experiments: { computeSeconds: Math.floor(halved.seconds * 0.7) } });
    await submit(tighter);
    const fewer = await caller.tuning.estimate({ assignmentId: tighter.id, search: eight });
    expect(fewer.proposal?.search).toMatchObject({ strategy: "random", halving: { factor: 3 } });
    expect(fewer.proposal?.search.trials).toBeLessThan(8);
    expect(fewer.proposal?.seconds).toBeLessThanOrEqual(fewer.leftSeconds);
    // The proposal is a search start accepts on that budget.
    if (!fewer.proposal) throw new Error("expected a proposal");
    await expect(caller.tuning.start({ assignmentId: tighter.id, search: fewer.proposal.search })).resolves.toMatchObject({
      status: "queued",
    });
  });

  it("starts the form from a search that fits the budget left", async () => {
    const caller = await w.as(w.student);
    const roomy = await step7Assignment();
    await submit(roomy);
    const defaults = (await caller.tuning.list({ assignmentId: roomy.id })).defaults?.search;
    if (!defaults) throw new Error("expected a default search");
    const cost = await caller.tuning.estimate({ assignmentId: roomy.id, search: defaults });
    const tight = await step7Assignment({ experiments: { computeSeconds: Math.floor(cost.seconds * 0.7) } });
    await submit(tight);
    const fitted = (await caller.tuning.list({ assignmentId: tight.id })).defaults?.search;
    expect(fitted?.trials).toBeLessThan(defaults.trials);
    if (!fitted) throw new Error("expected a fitted default search");
    expect(await caller.tuning.estimate({ assignmentId: tight.id, search: fitted })).toMatchObject({ fits: true });
  });

  it("refuses what start refuses: anonymous callers and a search the assignment does not allow", async () => {
    const assignment = await step7Assignment();
    await submit(assignment);
    await expect((await w.as(null)).tuning.estimate({ assignmentId: assignment.id, search: grid })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(
      (await w.as(w.student)).tuning.estimate({ assignmentId: assignment.id, search: { ...eight, trials: 9 } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/at most 8 trials/) as unknown,
    });
  });
});

describe("tuning.list and byId", () => {
  it("lists the caller's searches with the shared budget, the test evaluations used and a form prefilled from their model", async () => {
    const assignment = await step7Assignment({ experiments: { computeSeconds: 300 } });
    const id = await submit(assignment);
    const caller = await w.as(w.student);
    const before = await caller.tuning.list({ assignmentId: assignment.id });
    expect(before).toMatchObject({
      unavailable: null,
      maxTrials: 8,
      // The graded step-7 submission is one evaluation on the hidden test set.
      testEvaluations: { used: 1, limit: 3 },
      latestSubmission: { id },
      facts: { learningRate: 0.001, units: 32, layers: 1, dropout: 0.3 },
      runs: [],
    });
    // 3 learning rates × 3 dropout rates = 9 combinations, more than the 8 allowed: drawn at random.
    // Successive halving by default, so the search costs a fraction of eight full trainings.
    expect(before.defaults?.search).toEqual({
      strategy: "random",
      trials: 8,
      space: { learningRate: [0.000333, 0.001, 0.003], dropout: [0.2, 0.3, 0.4] },
      halving: { factor: 3 },
    });
    expect(before.defaults?.offered).toMatchObject({ units: [16, 32, 64], layers: [1, 2] });

    const run = await caller.tuning.start({ assignmentId: assignment.id, search: grid });
    const after = await caller.tuning.list({ assignmentId: assignment.id });
    expect(after.runs).toMatchObject([
      { jobId: run.jobId, status: "queued", search: grid, result: null, failure: null, estimateSeconds: run.estimateSeconds },
    ]);
    expect(after.budget.reservedSeconds).toBeCloseTo(run.estimateSeconds, 1);
    // The Debugging page shares the budget: a queued search holds its estimate there too, and is not listed as a debugging run.
    const debugging = await caller.experiment.list({ assignmentId: assignment.id });
    expect(debugging.budget).toEqual(after.budget);
    expect(debugging.runs).toEqual([]);
    // Nobody else's Tune section shows it.
    expect((await (await w.as(w.other)).tuning.list({ assignmentId: assignment.id })).runs).toEqual([]);
    await expect((await w.as(w.outsider)).tuning.list({ assignmentId: assignment.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it.each([
    ["not step 7", "beat-baseline", {}, /part of step 7/],
    ["tuning not allowed", "step7", { toolbox: { allowed: [] } }, /has not allowed tuning on this assignment \(allowed techniques: none\)/],
  ] as const)("says why tuning is unavailable: %s", async (_name, kind, overrides, reason) => {
    const assignment = kind === "step7" ? await step7Assignment(overrides) : w.assignment;
    const list = await (await w.as(w.student)).tuning.list({ assignmentId: assignment.id });
    expect(list.unavailable).toMatch(reason);
  });

  it("shows a running search's progress (trial k of N), then its result, to its owner and the course's instructors only", async () => {
    const assignment = await step7Assignment();
    await submit(assignment);
    const caller = await w.as(w.student);
    const run = await caller.tuning.start({ assignmentId: assignment.id, search: grid });
    const queued = await caller.tuning.byId({ jobId: run.jobId });
    expect(queued).toMatchObject({ status: "queued", progress: null });
    expect(queued.chargedSeconds).toBeCloseTo(run.estimateSeconds, 0);

    await claim(run.jobId);
    const now = w.clock.now();
    await appendProgress(w.db, run.jobId, { type: "run", label: "trial 1 of 3: learning rate 0.0003" }, now);
    await appendProgress(w.db, run.jobId, { type: "epoch", epoch: 1, epochs: 10, loss: 0.5, seconds: 0.3 }, now);
    await appendProgress(w.db, run.jobId, { type: "run", label: "trial 2 of 3: learning rate 0.001" }, now);
    await appendProgress(w.db, run.jobId, { type: "epoch", epoch: 1, epochs: 10, loss: 0.4, seconds: 0.3 }, now);
    await appendProgress(w.db, run.jobId, { type: "epoch", epoch: 2, epochs: 10, loss: 0.3, seconds: 0.6 }, now);
    expect((await caller.tuning.byId({ jobId: run.jobId })).progress).toEqual({
      trial: 2,
      total: 3,
      label: "trial 2 of 3: learning rate 0.001",
      final: false,
      epochs: 2,
    });

    w.clock.advance(7_000);
    expect(
      await completeExperimentJob(w.db, { jobId: run.jobId, workerId: "w", outcome: { result: sampleResult() }, now: w.clock.now() }),
    ).toBe("stored");
    const done = await caller.tuning.byId({ jobId: run.jobId });
    expect(done).toMatchObject({
      status: "done",
      progress: null,
      failure: null,
      chargedSeconds: 7,
      result: { selected: 2, final: { status: "evaluated", test: 0.925 } },
    });
    expect(done.result?.trials).toHaveLength(3);
    await expect((await w.as(w.instructor)).tuning.byId({ jobId: run.jobId })).resolves.toMatchObject({ jobId: run.jobId });
    await expect((await w.as(w.other)).tuning.byId({ jobId: run.jobId })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/only see your own tuning runs/) as unknown,
    });
    await expect((await w.as(w.outsider)).tuning.byId({ jobId: run.jobId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.tuning.byId({ jobId: "nope" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("shows a search the grader could not run with its reason, and a debugging run is no tuning run", async () => {
    const assignment = await step7Assignment();
    const id = await submit(assignment);
    const caller = await w.as(w.student);
    const run = await caller.tuning.start({ assignmentId: assignment.id, search: grid });
    await claim(run.jobId);
    await completeExperimentJob(w.db, {
      jobId: run.jobId,
      workerId: "w",
      outcome: { failed: "Searching layers needs a hidden Dense layer before the output layer." },
      now: w.clock.now(),
    });
    expect(await caller.tuning.byId({ jobId: run.jobId })).toMatchObject({
      result: null,
      failure: expect.stringMatching(/hidden Dense layer/) as unknown,
    });

    const experiment = await caller.experiment.run({ submissionId: id, experiment: "tiny-subset" });
    await expect(caller.tuning.byId({ jobId: experiment.jobId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await caller.tuning.list({ assignmentId: assignment.id })).runs.map((r) => r.jobId)).toEqual([run.jobId]);
  });
});
