import { claimJob, completeJob, appendProgress, createSubmissionWithJob, submissionsFor } from "@stepwise/db";
import { sampleVerdict } from "@stepwise/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WatchUpdate } from "../src/server/services/watch";
import { denseTopology, validPayload, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

/** The fixture with its first Dense layer widened: 784·units + units + (units·10 + 10) parameters. */
function withUnits(units: number): Record<string, unknown> {
  const topology = structuredClone(denseTopology()) as { config: { layers: Array<{ config: Record<string, unknown> }> } };
  const first = topology.config.layers[0];
  if (!first) throw new Error("fixture has no layers");
  first.config.units = units;
  return topology;
}

function withLayerClass(className: string): Record<string, unknown> {
  const topology = structuredClone(denseTopology()) as { config: { layers: Array<{ class_name: string }> } };
  const second = topology.config.layers[1];
  if (!second) throw new Error("fixture has fewer than 2 layers");
  second.class_name = className;
  return topology;
}

describe("submission.create", () => {
  it("stores a valid submission with a queued job, and the course shows it as queued", async () => {
    const caller = await w.as(w.student);
    const created = await caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    expect(created.status).toBe("queued");
    const rows = await submissionsFor(w.db, { assignmentId: w.assignment.id, userId: w.student.id });
    expect(rows.map((r) => [r.id, r.job?.status])).toEqual([[created.submissionId, "queued"]]);
    const course = await caller.course.byId({ courseId: w.courseId });
    expect(course.assignments).toEqual([
      expect.objectContaining({
        id: w.assignment.id,
        status: "queued",
        attemptsUsed: 1,
        exerciseTitle: "Step 5 — beat the baseline on MNIST",
      }),
    ]);
    const list = await caller.submission.list({ assignmentId: w.assignment.id });
    expect(list).toEqual([expect.objectContaining({ id: created.submissionId, jobStatus: "queued", verdictStatus: null })]);
  });

  it.each([
    [
      "an over-budget model (784·4096 weights)",
      { model: { format: "tfjs" as const, topology: withUnits(4096) } },
      /parameters.*200,000.*over/,
    ],
    [
      "more epochs than the budget",
      {
        training: {
          compile: {
            optimizer: "adam" as const,
            learningRate: 0.001,
            loss: "categoricalCrossentropy" as const,
            metrics: ["accuracy" as const],
          },
          fit: { epochs: 50, batchSize: 128, validationSplit: 0.2, shuffle: true },
        },
      },
      /50 epochs; this exercise allows 10/,
    ],
    [
      "an unknown layer class",
      { model: { format: "tfjs" as const, topology: withLayerClass("EvilCustomLayer") } },
      /layer class "EvilCustomLayer" is not supported/i,
    ],
    ["a Lambda layer", { model: { format: "tfjs" as const, topology: withLayerClass("Lambda") } }, /layer class "Lambda" runs code/i],
    ["a missing model", { model: undefined }, /needs a model/],
    ["another exercise's id", { exerciseId: "imdb-something" }, /expects exercise "mnist-beat-baseline", got "imdb-something"/],
  ])("rejects %s with BAD_REQUEST before storing anything", async (_case, change, message) => {
    const caller = await w.as(w.student);
    await expect(
      caller.submission.create({ assignmentId: w.assignment.id, payload: { ...validPayload(), ...change } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(message) as unknown,
    });
    expect(await submissionsFor(w.db, { assignmentId: w.assignment.id, userId: w.student.id })).toEqual([]);
  });

  it.each([
    [
      "an extra top-level key (userId)",
      (p: ReturnType<typeof validPayload>, a: string) => ({ assignmentId: a, payload: p, userId: "someone-else" }),
    ],
    ["an extra payload key (score)", (p: ReturnType<typeof validPayload>, a: string) => ({ assignmentId: a, payload: { ...p, score: 1 } })],
  ])("rejects %s as BAD_REQUEST (inputs are strict)", async (_case, build) => {
    const caller = await w.as(w.student);
    const input = build(validPayload(), w.assignment.id) as Parameters<typeof caller.submission.create>[0];
    await expect(caller.submission.create(input)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("refuses a student who is not enrolled (FORBIDDEN) and an anonymous caller (UNAUTHORIZED)", async () => {
    await expect(
      (await w.as(w.outsider)).submission.create({ assignmentId: w.assignment.id, payload: validPayload() }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await w.as(null)).submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("enforces the attempts limit with PRECONDITION_FAILED", async () => {
    const limited = await w.addAssignment({ attemptsAllowed: 2 });
    const caller = await w.as(w.student);
    for (let i = 0; i < 2; i++) {
      await caller.submission.create({ assignmentId: limited.id, payload: validPayload() });
      w.clock.advance(61_000);
    }
    await expect(caller.submission.create({ assignmentId: limited.id, payload: validPayload() })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/all 2 attempts/) as unknown,
    });
  });

  it("enforces the deadline with PRECONDITION_FAILED", async () => {
    const due = await w.addAssignment({ deadline: w.clock.now() + 1_000 });
    const caller = await w.as(w.student);
    w.clock.advance(2_000);
    await expect(caller.submission.create({ assignmentId: due.id, payload: validPayload() })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
  });

  it("rate-limits to 5 submissions per minute per student and assignment (TOO_MANY_REQUESTS), counted from the database", async () => {
    const caller = await w.as(w.student);
    for (let i = 0; i < 5; i++) {
      await caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
      w.clock.advance(1_000);
    }
    await expect(caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    // Another student is not affected by this one's count.
    await expect(
      (await w.as(w.other)).submission.create({ assignmentId: w.assignment.id, payload: validPayload() }),
    ).resolves.toMatchObject({ status: "queued" });
    w.clock.advance(60_000);
    await expect(caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() })).resolves.toMatchObject({
      status: "queued",
    });
  });
});

describe("reading submissions", () => {
  it("lets a student read only their own submission; their instructor may read it too", async () => {
    const mine = await (await w.as(w.student)).submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    const other = await w.as(w.other);
    await expect(other.submission.byId({ submissionId: mine.submissionId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(other.submission.watch({ submissionId: mine.submissionId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await w.as(w.outsider)).submission.byId({ submissionId: mine.submissionId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const teacherView = await (await w.as(w.instructor)).submission.byId({ submissionId: mine.submissionId });
    expect(teacherView.submission.id).toBe(mine.submissionId);
    await expect(other.submission.byId({ submissionId: "does-not-exist" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("course.byId is FORBIDDEN for a non-member", async () => {
    await expect((await w.as(w.outsider)).course.byId({ courseId: w.courseId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await (await w.as(w.outsider)).course.list()).toEqual([]);
  });

  it("assignment.byId gives the public view of the exercise, without seeds or data slices", async () => {
    const view = await (await w.as(w.student)).assignment.byId({ assignmentId: w.assignment.id });
    expect(view.exercise).toMatchObject({ id: "mnist-beat-baseline", step: 5, budgets: { maxParams: 200_000, maxEpochs: 10 } });
    expect(Object.keys(view.exercise)).not.toEqual(expect.arrayContaining(["seed"]));
    expect(Object.keys(view.exercise)).not.toEqual(expect.arrayContaining(["data"]));
    await expect((await w.as(w.outsider)).assignment.byId({ assignmentId: w.assignment.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("submission.watch", () => {
  it("streams queue position, epoch events and the verdict from the database, then ends", async () => {
    const caller = await w.as(w.student);
    const { submissionId } = await caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    const stream = await caller.submission.watch({ submissionId });
    const updates: WatchUpdate[] = [];
    const iterator = stream[Symbol.asyncIterator]();

    const first = await iterator.next();
    if (first.done) throw new Error("watch ended before its first update");
    updates.push(first.value);
    expect(first.value).toMatchObject({ job: { status: "queued", queuePosition: 0 }, events: [], verdict: null });

    // Play the grader's part through the same database.
    const claimed = await claimJob(w.db, { workerId: "test-worker", leaseMs: 60_000, now: w.clock.now() });
    if (!claimed) throw new Error("expected to claim the job");
    await appendProgress(w.db, claimed.job.id, { type: "started", backend: "cpu", epochs: 2 }, w.clock.now());
    await appendProgress(
      w.db,
      claimed.job.id,
      { type: "epoch", epoch: 1, epochs: 2, loss: 0.9, accuracy: 0.7, valLoss: 0.8, valAccuracy: 0.75, seconds: 1 },
      w.clock.now(),
    );
    const second = await iterator.next();
    if (second.done) throw new Error("watch ended early");
    expect(second.value.job?.status).toBe("running");
    expect(second.value.events.map((e) => e.type)).toEqual(["started", "epoch"]);

    await appendProgress(w.db, claimed.job.id, { type: "evaluating" }, w.clock.now());
    const verdict = {
      ...sampleVerdict("passed"),
      checks: [...sampleVerdict("passed").checks, { id: "secret", passed: true, message: "hidden", visibility: "never" as const }],
    };
    expect(await completeJob(w.db, { jobId: claimed.job.id, workerId: "test-worker", verdict, now: w.clock.now() })).toBe("stored");
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      updates.push(next.value);
    }
    const last = updates[updates.length - 1];
    // The hidden check is dropped, and the status it helped decide is withheld with it.
    expect(last?.verdict?.status).toBe("withheld");
    expect(last?.verdict?.checks.map((c) => c.id)).toEqual(["beats-baseline"]);
    expect(updates.flatMap((u) => u.events).map((e) => e.type)).toEqual(["evaluating"]);
  });

  it("places a student's job ahead of another student's backlog and estimates the wait from recent jobs", async () => {
    // The other student queued four jobs first; one has been graded (10 s) and the next runs.
    const backlog = [];
    for (let i = 0; i < 4; i++) {
      backlog.push(
        await createSubmissionWithJob(
          w.db,
          { assignmentId: w.assignment.id, userId: w.other.id, exerciseId: w.assignment.exerciseId, payload: validPayload() },
          w.clock.now(),
        ),
      );
    }
    const start = w.clock.now();
    const graded = await claimJob(w.db, { workerId: "g", leaseMs: 60_000, now: start });
    expect(graded?.job.id).toBe(backlog[0]?.job.id);
    await completeJob(w.db, { jobId: graded?.job.id ?? "", workerId: "g", verdict: sampleVerdict(), now: start + 10_000 });
    expect((await claimJob(w.db, { workerId: "g", leaseMs: 60_000, now: start + 10_000 }))?.job.id).toBe(backlog[1]?.job.id);
    w.clock.advance(12_000);

    const caller = await w.as(w.student);
    const { submissionId } = await caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    const iterator = (await caller.submission.watch({ submissionId }))[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) throw new Error("watch ended before its first update");
    // Next in line (the other student already has a job running), about 8 s left on that job.
    expect(first.value.job).toMatchObject({ status: "queued", queuePosition: 0, estimatedWaitSeconds: 10 });
    await iterator.return?.(undefined);
  });
});
