/**
 * A guided student's step-2 and step-4 choices reach the step page of a training step: the metric and
 * the target in it (`assignment.byId`), and the preview data scaled as step 4 chose, as the grader
 * scales the rows it trains on; on IMDB, step 4's vocabulary (the starter's input width, the data
 * panel, the preview data, the submission check). The steps before are passed through the real
 * submission path.
 */
import { claimJob, completeJob, createAssignment, createCourse, createSession, enroll, type Db } from "@stepwise/db";
import { openTestDb, sampleVerdict, testDialects, type TestDb, createTestUser } from "@stepwise/db/testing";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { solutions } from "@stepwise/exercises/solutions";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodePreview } from "../src/lib/preview-format";
import { handlePreviewRequest } from "../src/server/preview-http";
import { createCaller } from "../src/server/root";
import { createContext } from "../src/server/trpc";
import { clock, sessionCookieHeader, testConfig } from "./helpers";

const ANSWERS: Array<[string, SubmissionPayload["answers"]]> = [
  ["credit-define-problem", { input: "table", target: "default", task: "binary", classes: 2 }],
  ["credit-choose-metric", { rarestClassShare: 0.08, metric: "precision-recall" }],
  ["credit-evaluation-protocol", { protocol: "holdout", folds: 5, validationFraction: 0.2 }],
  ["credit-prepare-data", { numericScaling: "min-max", categorical: "one-hot", fitOnTrainOnly: true }],
];

async function guidedWorld(db: Db) {
  const c = clock();
  const mk = (name: string, role: "student" | "instructor") =>
    createTestUser(db, { email: `${name}@example.test`, name, role, password: `${name}-password` }, c.now());
  const [student, instructor] = [await mk("student", "student"), await mk("teacher", "instructor")];
  const course = await createCourse(db, { title: "Guided" }, c.now());
  for (const [user, role] of [
    [student, "student"],
    [instructor, "instructor"],
  ] as const)
    await enroll(db, { courseId: course.id, userId: user.id, role }, c.now());
  const add = (exerciseId: string, position: number) =>
    createAssignment(
      db,
      { courseId: course.id, exerciseId, title: exerciseId, overrides: {}, deadline: null, attemptsAllowed: null, position },
      c.now(),
    );
  const answers = [];
  for (const [i, [exerciseId]] of ANSWERS.entries()) answers.push(await add(exerciseId, i + 1));
  const regularize = await add("credit-regularize", 7);
  const token = async (user: { id: string }) => (await createSession(db, user.id, c.now(), testConfig.sessionTtlMs)).token;
  const as = async (user: { id: string }) =>
    createCaller(await createContext({ db, config: testConfig, now: c.now, sessionToken: await token(user) }));
  return { c, student, instructor, answers, regularize, as, token };
}

/** Grades the queued job as passed: what the engine hands on is the submission's own answers. */
async function passNext(db: Db, now: number) {
  const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now });
  if (!claimed) throw new Error("no job to grade");
  await completeJob(db, { jobId: claimed.job.id, workerId: "w", verdict: sampleVerdict("passed", 1), now: now + 1 });
}

describe.each(testDialects)("a guided step page on %s", (dialect) => {
  let testDb: TestDb;
  beforeEach(async () => {
    testDb = await openTestDb(dialect);
  });
  afterEach(async () => {
    await testDb.cleanup();
  });

  it("shows step 2's metric and step 7's target in it, and serves preview rows scaled as step 4 chose", async () => {
    const { db } = testDb;
    const w = await guidedWorld(db);
    const student = await w.as(w.student);
    const before = await student.assignment.byId({ assignmentId: w.regularize.id });
    // Nothing decided yet: the exercise's own metric and target.
    expect(before.decisions).toBeNull();
    expect(before.target).toMatchObject({ name: "Test accuracy", value: 0.95, chosen: false });

    for (const [i, [exerciseId, answers]] of ANSWERS.entries()) {
      await student.submission.create({ assignmentId: w.answers[i]?.id ?? "", payload: { exerciseId, answers } });
      await passNext(db, w.c.advance(1000));
    }
    const after = await student.assignment.byId({ assignmentId: w.regularize.id });
    expect(after.decisions).toEqual({
      metric: "precision-recall",
      protocol: { kind: "holdout", validationSplit: 0.2 },
      preparation: { scaling: "min-max", fittedOn: "training" },
    });
    expect(after.target).toEqual({
      metric: "precision-recall",
      key: "recall",
      name: "Test recall",
      value: 0.6,
      higherIsBetter: true,
      chosen: true,
    });
    // The text states the exercise's accuracy target; the one in force follows it.
    expect(before.exercise.summary).not.toMatch(/In your project the target/);
    expect(after.exercise.summary).toMatch(
      /a test accuracy of 0\.95\b.* In your project the target is in the metric you chose in step 2: test recall of at least 0\.6\.$/,
    );
    // The instructor's view of the page is the exercise's.
    expect((await (await w.as(w.instructor)).assignment.byId({ assignmentId: w.regularize.id })).decisions).toBeNull();

    const preview = async (user: { id: string }) => {
      const res = await handlePreviewRequest(
        new Request(`http://localhost/api/preview-data/${w.regularize.id}`, {
          headers: { cookie: await sessionCookieHeader(await w.token(user)) },
        }),
        {
          db,
          config: testConfig,
          assignmentId: w.regularize.id,
          now: w.c.now,
        },
      );
      expect(res.status).toBe(200);
      return decodePreview(await res.arrayBuffer());
    };
    const numericRange = (data: Awaited<ReturnType<typeof preview>>) => {
      const inputs = data.arrays.inputs as Float32Array;
      const width = data.header.naturalShape[0] ?? 0;
      // Column 0 (age) is numeric on the credit table.
      const column = Array.from({ length: data.header.n }, (_, r) => inputs[r * width] ?? Number.NaN);
      return [Math.min(...column), Math.max(...column)];
    };
    const mine = await preview(w.student);
    expect(mine.header.encoding).toMatch(/min-max scaled to \[0, 1\] on training rows/);
    expect(numericRange(mine)).toEqual([0, 1]);
    // Without step 4's choice (the instructor's preview), the rows are standardized: below 0 and above 1.
    const exercises = await preview(w.instructor);
    expect(exercises.header.encoding).toMatch(/standardized/);
    const [lo, hi] = numericRange(exercises);
    expect(lo).toBeLessThan(0);
    expect(hi).toBeGreaterThan(1);
  });
});

/** The same model with a first Dense layer taking `width` inputs (a multi-hot vector over `width` words). */
function withInputWidth(payload: SubmissionPayload, width: number): SubmissionPayload {
  const copy = structuredClone(payload);
  const topology =
    copy.model?.format === "tfjs" ? (copy.model.topology as { config: { layers: { config: Record<string, unknown> }[] } }) : undefined;
  const first = topology?.config.layers[0]?.config;
  if (!first) throw new Error("expected a tfjs Sequential model");
  first.batch_input_shape = [null, width];
  return copy;
}

describe.each(testDialects)("a guided IMDB step page on %s", (dialect) => {
  let testDb: TestDb;
  beforeEach(async () => {
    testDb = await openTestDb(dialect);
  });
  afterEach(async () => {
    await testDb.cleanup();
  });

  it("states step 4's vocabulary, starts from a model of that width, serves data for it and refuses another width at submit", async () => {
    const { db } = testDb;
    const c = clock();
    const mk = (name: string, role: "student" | "instructor") =>
      createTestUser(db, { email: `${name}@example.test`, name, role, password: `${name}-password` }, c.now());
    const [student, instructor] = [await mk("student", "student"), await mk("teacher", "instructor")];
    const course = await createCourse(db, { title: "Guided IMDB" }, c.now());
    for (const [user, role] of [
      [student, "student"],
      [instructor, "instructor"],
    ] as const)
      await enroll(db, { courseId: course.id, userId: user.id, role }, c.now());
    const add = (exerciseId: string, position: number) =>
      createAssignment(
        db,
        { courseId: course.id, exerciseId, title: exerciseId, overrides: {}, deadline: null, attemptsAllowed: null, position },
        c.now(),
      );
    const prepare = await add("imdb-prepare-data", 4);
    const step5 = await add("imdb-beat-baseline", 5);
    const token = async (user: { id: string }) => (await createSession(db, user.id, c.now(), testConfig.sessionTtlMs)).token;
    const as = async (user: { id: string }) =>
      createCaller(await createContext({ db, config: testConfig, now: c.now, sessionToken: await token(user) }));
    const me = await as(student);

    const before = await me.assignment.byId({ assignmentId: step5.id });
    expect(before.exercise.starterCode).toContain("inputShape: [10000]");
    await me.submission.create({
      assignmentId: prepare.id,
      payload: { exerciseId: "imdb-prepare-data", answers: { encoding: "multi-hot", vocabularySize: 5000, fitOnTrainOnly: true } },
    });
    await passNext(db, c.advance(1000));

    const page = await me.assignment.byId({ assignmentId: step5.id });
    expect(page.decisions).toEqual({ vocabularySize: 5000 });
    expect(page.exercise.dataset).toEqual({ kind: "imdb", vocabularySize: 5000, fixedVocabulary: true });
    expect(page.exercise.starterCode).toContain("inputShape: [5000]");
    expect(page.exercise.starterCode).toContain("the 5,000 most frequent training words");
    expect(page.exercise.starterCode).not.toContain("10000");
    expect(page.exercise.summary).toMatch(
      /In your project the vocabulary is the 5,000 most frequent training words you chose in step 4: a Dense input takes multi-hot vectors of width 5000/,
    );
    // The instructor's view of the page is the exercise's.
    expect((await (await as(instructor)).assignment.byId({ assignmentId: step5.id })).exercise.starterCode).toContain(
      "inputShape: [10000]",
    );

    // The data panel states the input width; the preview data is encoded over the same 5,000 words.
    const panel = await me.dataset.byAssignment({ assignmentId: step5.id });
    expect(panel.kind === "imdb" ? panel.facts.naturalShape : null).toEqual([5000]);
    const preview = async (user: { id: string }) => {
      const res = await handlePreviewRequest(
        new Request(`http://localhost/api/preview-data/${step5.id}`, { headers: { cookie: await sessionCookieHeader(await token(user)) } }),
        {
          db,
          config: testConfig,
          assignmentId: step5.id,
          now: c.now,
        },
      );
      expect(res.status).toBe(200);
      return decodePreview(await res.arrayBuffer());
    };
    expect((await preview(student)).header.vocabularySize).toBe(5000);
    expect((await preview(instructor)).header.vocabularySize).toBe(10000);

    // Submitting: a model built for the default 10,000 words is refused before anything is stored; one of width 5,000 is queued.
    const reference = solutions["imdb-beat-baseline"]?.reference;
    if (!reference) throw new Error("no IMDB reference");
    await expect(me.submission.create({ assignmentId: step5.id, payload: reference })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(
        /vocabulary is the 5,000 most frequent training words \(chosen in step 4\), so the model's input must have width 5000 .*\[batch, 10000\]/,
      ) as unknown,
    });
    expect((await me.submission.create({ assignmentId: step5.id, payload: withInputWidth(reference, 5000) })).status).toBe("queued");
  });
});
