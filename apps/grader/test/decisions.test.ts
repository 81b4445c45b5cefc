/**
 * A guided project's decisions through the grader's real path: steps 2–4 answered and graded from
 * the database, then a step-5 job whose verdict reports step 2's metric first, trains with step 3's
 * protocol and step 4's preparation in a sandboxed child, and records all three in its environment.
 * On IMDB, step 4's vocabulary: the model's input must be built for it, in gradings and experiments.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import {
  claimJob,
  completeJob,
  createAssignment,
  createCourse,
  createSubmissionWithJob,
  createUser,
  enqueueExperiment,
  enroll,
  submissionsFor,
  updateCourse,
  type Db,
} from "@stepwise/db";
import { openTestDb, testDialects, type TestDb } from "@stepwise/db/testing";
import { solutions } from "@stepwise/exercises/solutions";
import { getExercise } from "@stepwise/exercises";
import { checkAsPlaced } from "../src/cli/placed";
import { runExperimentJob } from "../src/experiment";
import { projectDecisions } from "../src/job-context";
import { gradeInProcess, RecordingPool, testConfig } from "./helpers";

const ANSWERS: Record<string, SubmissionPayload["answers"]> = {
  // Accuracy on the imbalanced table: allowed, and the step-5 verdict will show what it hides.
  "credit-choose-metric": { rarestClassShare: 0.08, metric: "accuracy" },
  "credit-evaluation-protocol": { protocol: "kfold", folds: 4, validationFraction: 0.25 },
  "credit-prepare-data": { numericScaling: "min-max", categorical: "one-hot", fitOnTrainOnly: true },
};

/** A guided course with the credit project's steps 2–5, and a student in it. */
async function project(db: Db) {
  const now = Date.now();
  const tag = Math.random().toString(36).slice(2);
  const student = await createUser(db, { email: `s-${tag}@test`, name: "Student", role: "student", password: "password-123" }, now);
  const course = await createCourse(db, { title: "Guided course" }, now);
  await enroll(db, { courseId: course.id, userId: student.id, role: "student" }, now);
  const ids = [...Object.keys(ANSWERS), "credit-beat-baseline"];
  const assignments = await Promise.all(
    ids.map((exerciseId, i) =>
      createAssignment(
        db,
        { courseId: course.id, exerciseId, title: exerciseId, overrides: {}, deadline: null, attemptsAllowed: null, position: i + 2 },
        now,
      ),
    ),
  );
  const step5 = assignments[3];
  if (!step5) throw new Error("no step-5 assignment");
  return { student, course, assignments, step5 };
}

/** Submits and grades (for real, in the grader) one job, storing its verdict. */
async function submitAndGrade(
  db: Db,
  url: string,
  input: { assignmentId: string; userId: string; payload: SubmissionPayload },
  pool?: RecordingPool,
) {
  await createSubmissionWithJob(db, { ...input, exerciseId: input.payload.exerciseId }, Date.now());
  const claimed = await claimJob(db, { workerId: "decisions-test", leaseMs: 120_000, now: Date.now() });
  if (!claimed) throw new Error("nothing to claim");
  const verdict = await gradeInProcess(claimed, db, url, pool);
  await completeJob(db, { jobId: claimed.job.id, workerId: "decisions-test", verdict, now: Date.now() });
  return verdict;
}

describe.each(testDialects)("a guided project's decisions reach the grader on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(dialect);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it("steps 2–4 passed in the database become the step-5 job's decisions; an independent course has none", async () => {
    const { student, course, assignments, step5 } = await project(t.db);
    expect(await projectDecisions(t.db, { assignment: step5, userId: student.id })).toBeUndefined();
    for (const [i, exerciseId] of Object.keys(ANSWERS).entries()) {
      const assignment = assignments[i];
      if (!assignment) throw new Error("missing assignment");
      const verdict = await submitAndGrade(t.db, t.url, {
        assignmentId: assignment.id,
        userId: student.id,
        payload: { exerciseId, answers: ANSWERS[exerciseId] },
      });
      expect(verdict.status, verdict.summary).toBe("passed");
    }
    const decisions = {
      metric: "accuracy",
      protocol: { kind: "kfold", folds: 4, chosenFolds: 4 },
      preparation: { scaling: "min-max", fittedOn: "training" },
    };
    expect(await projectDecisions(t.db, { assignment: step5, userId: student.id })).toEqual(decisions);
    // Steps 1–4 themselves are graded as the exercise says.
    expect(await projectDecisions(t.db, { assignment: assignments[2] ?? step5, userId: student.id })).toBeUndefined();

    if (dialect === "sqlite") {
      // One real step-5 grading (the database part is the same on both dialects).
      const reference = structuredClone(solutions["credit-beat-baseline"]?.reference);
      if (!reference?.training) throw new Error("no credit reference");
      reference.training.fit.epochs = 3;
      const pool = new RecordingPool();
      try {
        const verdict = await submitAndGrade(t.db, t.url, { assignmentId: step5.id, userId: student.id, payload: reference }, pool);
        expect(verdict.environment?.decisions).toEqual(decisions);
        expect(Object.keys(verdict.metrics).slice(0, 2)).toEqual(["testAccuracy", "hiddenRecall"]);
        expect(verdict.summary).toMatch(/Accuracy, your metric from step 2, hides the rare class/);
        expect(Object.keys(verdict.metrics)).toEqual(expect.arrayContaining(["fold1", "fold2", "fold3", "fold4"]));
        const request = pool.sent[0];
        expect(request?.training.validation).toEqual({ kind: "kfold", folds: 4 });
        const inputs = request?.csv?.trainInputs ?? new Float32Array(0);
        expect(Math.min(...inputs)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...inputs)).toBeLessThanOrEqual(1);

        // A debugging experiment on that submission trains on the same min-max scaled rows: what it
        // shows the student holds for the graded model. (Without the decision the grader standardizes,
        // and standardized columns go below zero.)
        const graded = (await submissionsFor(t.db, { assignmentId: step5.id, userId: student.id }))[0];
        if (!graded) throw new Error("the graded step-5 submission is missing");
        await enqueueExperiment(t.db, {
          submissionId: graded.id,
          userId: student.id,
          experiment: "one-feature",
          budgetSeconds: 600,
          perMinute: 100,
          estimateSeconds: () => 10,
          now: Date.now(),
        });
        const claimed = await claimJob(t.db, { workerId: "decisions-test", leaseMs: 120_000, now: Date.now() });
        if (claimed?.kind !== "experiment") throw new Error(`expected the experiment job, claimed ${claimed?.kind ?? "nothing"}`);
        const result = await runExperimentJob(claimed, {
          db: t.db,
          config: testConfig(t.url),
          signal: new AbortController().signal,
          now: Date.now,
          pool,
        });
        expect(result.kind === "experiment" && "result" in result.outcome, JSON.stringify(result)).toBe(true);
        const experiment = pool.sent.find((m) => (m as { type: string }).type === "experiment");
        const rows = experiment?.csv?.trainInputs ?? new Float32Array(0);
        expect(rows.length).toBeGreaterThan(0);
        expect(Math.min(...rows)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...rows)).toBeLessThanOrEqual(1);
      } finally {
        pool.close();
      }
    }

    await updateCourse(t.db, course.id, { mode: "independent" });
    expect(await projectDecisions(t.db, { assignment: step5, userId: student.id })).toBeUndefined();
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

// IMDB's step 4 passes from 5,000 words on (they cover 90.05 % of the training text; 4,000 cover 88 %).
const VOCABULARY = 5000;

describe.each(testDialects)("IMDB's step-4 vocabulary reaches the grader on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(dialect);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it("a step-5 job trains on the chosen vocabulary, and a model built for 10,000 words is refused, naming the width expected", async () => {
    const now = Date.now();
    const tag = Math.random().toString(36).slice(2);
    const student = await createUser(t.db, { email: `imdb-${tag}@test`, name: "Student", role: "student", password: "password-123" }, now);
    const course = await createCourse(t.db, { title: "Guided IMDB" }, now);
    await enroll(t.db, { courseId: course.id, userId: student.id, role: "student" }, now);
    const [step4, step5] = await Promise.all(
      ["imdb-prepare-data", "imdb-beat-baseline"].map((exerciseId, i) =>
        createAssignment(
          t.db,
          { courseId: course.id, exerciseId, title: exerciseId, overrides: {}, deadline: null, attemptsAllowed: null, position: i + 4 },
          now,
        ),
      ),
    );
    if (!step4 || !step5) throw new Error("missing assignments");
    const userId = student.id;
    const prepared = await submitAndGrade(t.db, t.url, {
      assignmentId: step4.id,
      userId,
      payload: { exerciseId: "imdb-prepare-data", answers: { encoding: "multi-hot", vocabularySize: VOCABULARY, fitOnTrainOnly: true } },
    });
    expect(prepared.status, prepared.summary).toBe("passed");
    expect(await projectDecisions(t.db, { assignment: step5, userId })).toEqual({ vocabularySize: VOCABULARY });

    const reference = structuredClone(solutions["imdb-beat-baseline"]?.reference);
    if (!reference?.training) throw new Error("no IMDB reference");
    reference.training.fit.epochs = 1;
    // The reference is built for the exercise's default 10,000 words: refused before anything trains.
    const wide = await submitAndGrade(t.db, t.url, { assignmentId: step5.id, userId, payload: reference });
    expect(wide.status).toBe("invalid");
    expect(wide.summary).toContain(
      "Your project's vocabulary is the 5,000 most frequent training words (chosen in step 4), so the model's input must have width 5000 (inputShape: [5000], a multi-hot vector over those words); this model's input shape is [batch, 10000].",
    );

    // `stepwise submit` checks the model against the exercise as placed for this student, before storing it.
    const cliCheck = (payload: SubmissionPayload) =>
      checkAsPlaced(t.db, { exercise: getExercise("imdb-beat-baseline"), assignment: step5, userId, payload, now: Date.now() });
    await expect(cliCheck(reference)).rejects.toThrow(/must have width 5000 .*\[batch, 10000\]/);
    await expect(cliCheck(withInputWidth(reference, VOCABULARY))).resolves.toBeUndefined();

    // A debugging experiment resolves the job the same way: it refuses that model too, training nothing.
    const refused = (await submissionsFor(t.db, { assignmentId: step5.id, userId }))[0];
    if (!refused) throw new Error("the refused step-5 submission is missing");
    await enqueueExperiment(t.db, {
      submissionId: refused.id,
      userId,
      experiment: "tiny-subset",
      budgetSeconds: 600,
      perMinute: 100,
      estimateSeconds: () => 10,
      now: Date.now(),
    });
    const claimed = await claimJob(t.db, { workerId: "decisions-test", leaseMs: 120_000, now: Date.now() });
    if (claimed?.kind !== "experiment") throw new Error(`expected the experiment job, claimed ${claimed?.kind ?? "nothing"}`);
    const experiment = await runExperimentJob(claimed, {
      db: t.db,
      config: testConfig(t.url),
      signal: new AbortController().signal,
      now: Date.now,
    });
    expect(
      experiment.kind === "experiment" && "failed" in experiment.outcome ? experiment.outcome.failed : JSON.stringify(experiment),
    ).toMatch(/must have width 5000 .*\[batch, 10000\]/);

    if (dialect === "sqlite") {
      // One real training (the database part is the same on both dialects): the child is asked for 5,000 words.
      const pool = new RecordingPool();
      try {
        const verdict = await submitAndGrade(
          t.db,
          t.url,
          { assignmentId: step5.id, userId, payload: withInputWidth(reference, VOCABULARY) },
          pool,
        );
        expect(verdict.status, verdict.summary).not.toBe("invalid");
        expect(verdict.environment?.decisions).toEqual({ vocabularySize: VOCABULARY });
        expect(pool.sent.map((request) => request.dataset)).toEqual([{ kind: "imdb", vocabularySize: VOCABULARY }]);
      } finally {
        pool.close();
      }
    }
  });
});
