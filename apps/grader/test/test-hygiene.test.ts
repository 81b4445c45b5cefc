/**
 * Test-set hygiene through the grader's real step-7 path (house prices: small enough to retrain the
 * three models in seconds): each graded step-7 submission records its validation and test metrics,
 * and a configuration submitted after the student saw a test score, but no better on validation than
 * the configuration scored, carries the "selected on test" notice with both pairs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload, Verdict } from "@stepwise/core/contracts";
import {
  claimJob,
  completeJob,
  createAssignment,
  createSubmissionWithJob,
  createUser,
  enroll,
  migrate,
  openDb,
  testEvaluationsOf,
  type Db,
} from "@stepwise/db";
import { sampleVerdict } from "@stepwise/db/testing";
import { REUSED } from "@stepwise/exercises/grading";
import { solutions } from "@stepwise/exercises/solutions";
import { WarmPool } from "../src/sandbox";
import { configFingerprint, measuredEvaluation, SELECTED_ON_TEST } from "../src/test-hygiene";
import { gradeInProcess, studentWithAssignment, testConfig, tmpDbUrl } from "./helpers";

function solution(exerciseId: string): SubmissionPayload & { training: NonNullable<SubmissionPayload["training"]> } {
  const payload = solutions[exerciseId]?.reference;
  if (!payload?.training) throw new Error(`the reference solution of ${exerciseId} is missing`);
  return { ...payload, training: payload.training };
}
const reference = solution("houses-regularize");
const step6 = solution("houses-overfit");
/** The same model stopped after 2 epochs: clearly worse on validation than the reference's 25. */
const undertrained: SubmissionPayload = {
  ...reference,
  training: { ...reference.training, fit: { ...reference.training.fit, epochs: 2 } },
};

describe("step-7 test evaluations in the grader", () => {
  let db: Db;
  let url: string;
  let step7Id: string;
  let step6Id: string;
  let courseId: string;
  /** The step-6 reference's verdict, graded once here as the grader does; every student's step 6 carries it. */
  let step6Verdict: Verdict;
  /**
   * Warm training children reused across gradings, as the grader's own pool does (`childJobs`): a
   * fresh child per training run would load TF.js again for each of this file's trainings.
   */
  let pool: WarmPool;
  beforeAll(async () => {
    url = tmpDbUrl();
    const config = testConfig(url);
    pool = new WarmPool(1, config.memoryMb, config.backend, config.childJobs);
    db = await openDb(url);
    await migrate(db);
    const { course, assignment } = await studentWithAssignment(db, "houses-overfit");
    courseId = course.id;
    step6Id = assignment.id;
    step7Id = (
      await createAssignment(
        db,
        {
          courseId,
          exerciseId: "houses-regularize",
          title: "Regularize",
          overrides: {},
          deadline: null,
          attemptsAllowed: null,
          position: 7,
        },
        Date.now(),
      )
    ).id;
    // Its recorded run lets each step-7 grading below reuse it as the before run, as the grader does
    // for a student who passed step 6, instead of retraining the step-6 model every time.
    const student = await createUser(
      db,
      { email: `step6-${Date.now()}@test`, name: "Step 6", role: "student", password: "password-123" },
      Date.now(),
    );
    await enroll(db, { courseId, userId: student.id, role: "student" }, Date.now());
    step6Verdict = await gradeNext(
      (
        await createSubmissionWithJob(
          db,
          { assignmentId: step6Id, userId: student.id, exerciseId: "houses-overfit", payload: step6 },
          Date.now(),
        )
      ).job.id,
    );
    expect(step6Verdict.environment?.run, step6Verdict.summary).toBeDefined();
  });
  afterAll(async () => {
    pool.close();
    await db.close();
  });

  /** Claims the queued job `jobId` and grades it through the grader's path, storing its verdict. */
  async function gradeNext(jobId: string): Promise<Verdict> {
    const claimed = await claimJob(db, { workerId: "w", leaseMs: 120_000, now: Date.now() });
    expect(claimed?.job.id).toBe(jobId);
    if (!claimed) throw new Error("nothing to claim");
    const verdict = await gradeInProcess(claimed, db, url, pool);
    expect(await completeJob(db, { jobId, workerId: "w", verdict, now: Date.now() })).toBe("stored");
    return verdict;
  }

  /** A student who passed step 6 with the reference model (its verdict stored as the grader would). */
  async function studentPastStep6(): Promise<string> {
    const now = Date.now();
    const student = await createUser(
      db,
      { email: `s-${now}-${Math.random()}@test`, name: "Student", role: "student", password: "password-123" },
      now,
    );
    await enroll(db, { courseId, userId: student.id, role: "student" }, now);
    const { job } = await createSubmissionWithJob(
      db,
      { assignmentId: step6Id, userId: student.id, exerciseId: "houses-overfit", payload: step6 },
      now,
    );
    await claimJob(db, { workerId: "w", leaseMs: 60_000, now });
    expect(await completeJob(db, { jobId: job.id, workerId: "w", verdict: step6Verdict, now })).toBe("stored");
    return student.id;
  }

  /** Submits to step 7 with a test evaluation reserved, as the web app does, and grades it here. */
  async function gradeStep7(userId: string, payload: SubmissionPayload): Promise<Verdict> {
    const { job } = await createSubmissionWithJob(
      db,
      { assignmentId: step7Id, userId, exerciseId: "houses-regularize", payload, testEvaluation: { limit: 3 } },
      Date.now(),
    );
    const verdict = await gradeNext(job.id);
    expect(verdict.environment?.before, "the step-6 run is reused, not retrained").toBe(REUSED);
    return verdict;
  }

  it("flags a configuration no better on validation, submitted after a test score was seen, with both pairs", async () => {
    const userId = await studentPastStep6();
    const first = await gradeStep7(userId, reference);
    const second = await gradeStep7(userId, undertrained);
    for (const v of [first, second]) expect(["passed", "failed"]).toContain(v.status);
    const [a, b] = [measuredEvaluation(first), measuredEvaluation(second)];
    // The premise: the undertrained model is worse on validation (a loss: higher is worse).
    expect(b.validationMetric ?? 0).toBeGreaterThan(a.validationMetric ?? Infinity);
    expect(first.diagnostics.map((d) => d.code)).not.toContain(SELECTED_ON_TEST);
    const notice = second.diagnostics.find((d) => d.code === SELECTED_ON_TEST);
    expect(notice?.message).toContain(
      `best validation loss ${Number(a.validationMetric?.toPrecision(4))}, test MAE ${Number(a.testMetric?.toPrecision(4))}`,
    );
    expect(notice?.message).toContain(
      `best validation loss ${Number(b.validationMetric?.toPrecision(4))}, test MAE ${Number(b.testMetric?.toPrecision(4))}`,
    );

    const rows = await testEvaluationsOf(db, step7Id, userId);
    expect(rows.map((r) => [r.counted, r.validationMetricName, r.higherIsBetter, r.flag !== null])).toEqual([
      [true, "valLoss", false, false],
      [true, "valLoss", false, true],
    ]);
    expect(rows[0]?.validationMetric).toBeCloseTo(a.validationMetric ?? Number.NaN, 10);
    expect(rows[1]?.flag?.earlier).toMatchObject({
      evaluationId: rows[0]?.id,
      validationMetric: rows[0]?.validationMetric,
      testMetric: rows[0]?.testMetric,
    });
    expect(rows[0]?.configKey).not.toBe(rows[1]?.configKey);
  });

  it("does not flag when the later configuration improved on validation", async () => {
    const userId = await studentPastStep6();
    const first = await gradeStep7(userId, undertrained);
    const second = await gradeStep7(userId, reference);
    expect(measuredEvaluation(second).validationMetric ?? Infinity).toBeLessThan(measuredEvaluation(first).validationMetric ?? 0);
    for (const v of [first, second]) expect(v.diagnostics.map((d) => d.code)).not.toContain(SELECTED_ON_TEST);
    expect((await testEvaluationsOf(db, step7Id, userId)).map((r) => r.flag)).toEqual([null, null]);
  });
});

describe("configuration fingerprint", () => {
  const dense = (name: string, units: number, activation = "relu") => ({ class_name: "Dense", config: { name, units, activation } });
  const model = (layers: unknown[], name = "sequential_1") => ({ class_name: "Sequential", config: { name, layers } });
  const training = reference.training;

  it.each([
    [
      "generated layer names differ",
      model([dense("dense_Dense1", 8), dense("dense_Dense2", 1)]),
      model([dense("dense_Dense7", 8), dense("dense_Dense8", 1)], "sequential_4"),
      true,
    ],
    ["the units differ", model([dense("a", 8), dense("b", 1)]), model([dense("a", 16), dense("b", 1)]), false],
    [
      "a layer named like an activation keeps the activation",
      model([dense("relu", 8, "sigmoid")]),
      model([dense("relu", 8, "relu")]),
      false,
    ],
  ])("is equal iff the configuration is: %s", (_label, x, y, same) => {
    expect(configFingerprint({ topology: x, training }) === configFingerprint({ topology: y, training })).toBe(same);
  });

  it("changes with the training settings", () => {
    const topology = model([dense("a", 8)]);
    expect(configFingerprint({ topology, training })).not.toBe(
      configFingerprint({ topology, training: { ...training, fit: { ...training.fit, epochs: 3 } } }),
    );
  });
});

describe("measured evaluation of a step-7 verdict", () => {
  const verdict = (metrics: Verdict["metrics"], history: Verdict["curves"]["history"]): Verdict => ({
    ...sampleVerdict(),
    metrics,
    curves: { history },
  });
  it.each([
    [
      "classification: the best epoch's validation accuracy",
      verdict({ testAccuracy: { label: "t", value: 0.8 } }, [
        { epoch: 1, loss: 1, valAccuracy: 0.7, seconds: 1 },
        { epoch: 2, loss: 1, valAccuracy: 0.75, seconds: 1 },
        { epoch: 3, loss: 1, valAccuracy: 0.72, seconds: 1 },
      ]),
      { validationMetric: 0.75, validationMetricName: "valAccuracy", testMetric: 0.8, higherIsBetter: true },
    ],
    [
      "regression: the lowest validation loss, test MAE",
      verdict({ testMae: { label: "t", value: 12 } }, [
        { epoch: 1, loss: 1, valLoss: 0.5, seconds: 1 },
        { epoch: 2, loss: 1, valLoss: 0.4, seconds: 1 },
      ]),
      { validationMetric: 0.4, validationMetricName: "valLoss", testMetric: 12, higherIsBetter: false },
    ],
    [
      "K-fold: the folds' mean",
      verdict({ testAccuracy: { label: "t", value: 0.8 }, kfoldMean: { label: "k", value: 0.77 } }, [{ epoch: 1, loss: 1, seconds: 1 }]),
      { validationMetric: 0.77, validationMetricName: "kfoldMean", testMetric: 0.8, higherIsBetter: true },
    ],
    [
      "no validation at all",
      verdict({ testAccuracy: { label: "t", value: 0.8 } }, [{ epoch: 1, loss: 1, seconds: 1 }]),
      { validationMetric: null, validationMetricName: "valAccuracy", testMetric: 0.8, higherIsBetter: true },
    ],
  ])("%s", (_label, v, expected) => {
    expect(measuredEvaluation(v)).toEqual(expected);
  });
});
