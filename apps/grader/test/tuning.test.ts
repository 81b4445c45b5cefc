/**
 * Tuning jobs through the real grader and database, on a small MNIST slice: each trial in its own
 * sandboxed child on training examples only, selection on validation, the final model retrained and
 * evaluated once on test against one of the student's test evaluations — and the refusals: the
 * compute budget, an assignment that does not allow tuning, a step that is not 7, a bad search.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PreconditionError, type SubmissionPayload } from "@stepwise/core/contracts";
import { CORRECTION_RANGE, SpeedCorrection } from "@stepwise/core/model";
import {
  cancelJob,
  countAttempts,
  createAssignment,
  createCourse,
  createUser,
  enqueueTuning,
  enroll,
  jobLog,
  latestCalibration,
  migrate,
  openDb,
  progressSince,
  testEvaluationsOf,
  tuningRunById,
  type Db,
  type TuningRun,
} from "@stepwise/db";
import { findExercise } from "@stepwise/exercises";
import { solutions } from "@stepwise/exercises/solutions";
import { estimateTuningSeconds, TuningResult, TuningSearch } from "@stepwise/exercises/tuning";
import { startCalibration, type Calibrator } from "../src/calibration";
import { startGrader, type GraderHandle } from "../src/worker";
import { submit, testConfig, tmpDbUrl } from "./helpers";

const reference = solutions["mnist-regularize"]?.reference;
if (!reference?.training) throw new Error("the MNIST step-7 reference solution is missing");
// Two epochs of batch 64 on 1,000 examples: each trial trains in about a second.
const student: SubmissionPayload = {
  ...reference,
  training: { ...reference.training, fit: { ...reference.training.fit, epochs: 2, batchSize: 64 } },
};
const search = TuningSearch.parse({ strategy: "grid", trials: 3, space: { learningRate: [1e-6, 0.001, 0.003] } });

async function waitForRun(db: Db, jobId: string, timeoutMs = 170_000): Promise<TuningRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await tuningRunById(db, jobId);
    if (run && (run.outcome !== null || run.status === "dead")) return run;
    if (Date.now() > deadline) throw new Error(`tuning job ${jobId} did not finish within ${timeoutMs} ms (${run?.status ?? "missing"})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const resultOf = (run: TuningRun) => TuningResult.parse(run.outcome?.kind === "result" ? run.outcome.result : null);
const failureOf = (run: TuningRun) => (run.outcome?.kind === "failed" ? run.outcome.message : `no failure: ${JSON.stringify(run.outcome)}`);

describe("grader: tuning jobs on a small MNIST slice", () => {
  let db: Db;
  let grader: GraderHandle;
  let calibrator: Calibrator;
  // What the grader's trainings teach it: counted here, published with its calibration row.
  const correction = new SpeedCorrection();
  let userId: string;
  const assignments: Record<"tune" | "forbidden" | "step5" | "budget", string> = { tune: "", forbidden: "", step5: "", budget: "" };

  beforeAll(async () => {
    const url = tmpDbUrl();
    db = await openDb(url);
    await migrate(db);
    const now = Date.now();
    const user = await createUser(db, { email: `tuner-${now}@test`, name: "Tuner", role: "student", password: "password-123" }, now);
    userId = user.id;
    const course = await createCourse(db, { title: "Tuning course" }, now);
    await enroll(db, { courseId: course.id, userId, role: "student" }, now);
    const place = async (exerciseId: string, overrides: Record<string, unknown>, position: number) =>
      (
        await createAssignment(
          db,
          { courseId: course.id, exerciseId, title: exerciseId, overrides, deadline: null, attemptsAllowed: null, position },
          now,
        )
      ).id;
    assignments.tune = await place("mnist-regularize", { toolbox: { tuningTrials: 3, testEvaluations: 1 } }, 7);
    assignments.forbidden = await place("mnist-regularize", { toolbox: { allowed: ["augmentation", "early-stopping"] } }, 8);
    assignments.step5 = await place("mnist-beat-baseline", {}, 5);
    assignments.budget = await place("mnist-regularize", { toolbox: { tuningTrials: 3 }, experiments: { computeSeconds: 10 } }, 9);
    // Two slots: the two searches of the concurrency test run at the same time.
    const config = testConfig(url, { concurrency: 2, trainLimit: 1_000, testLimit: 500, calibrateEveryMs: 0 });
    // A fixed measurement rather than a calibration child: what is tested is that real trainings feed the correction.
    const measured = { backend: "wasm", matmulGflops: 12, gflops: 9, training: { gflops: 30, stepSeconds: 0.002 } };
    calibrator = await startCalibration(config, { db, log: () => undefined, measure: () => Promise.resolve(measured), correction });
    grader = startGrader(config, { db, log: () => undefined, onTrained: (run) => void calibrator.observe(run) });
  });
  afterAll(async () => {
    await grader.stop();
    await calibrator.stop();
    await db.close();
  });

  /** A submission whose grading is cancelled at once, then a search on it. */
  async function searchOn(assignmentId: string, payload: SubmissionPayload, raw: unknown, budgetSeconds = 3_600) {
    const { submission, job } = await submit(db, { assignmentId, userId }, payload);
    await cancelJob(db, job.id, Date.now());
    const queued = await enqueueTuning(db, {
      submissionId: submission.id,
      userId,
      search: raw,
      budgetSeconds,
      perMinute: 100,
      estimateSeconds: () => 30,
      now: Date.now(),
    });
    return queued.job.id;
  }

  it("selects on validation, retrains the best on train+validation, evaluates it once on test; under a limit of 1, two concurrent searches get one evaluation", async () => {
    const [first, second] = await Promise.all([searchOn(assignments.tune, student, search), searchOn(assignments.tune, student, search)]);
    const runs = await Promise.all([waitForRun(db, first ?? ""), waitForRun(db, second ?? "")]);
    const results = runs.map(resultOf);
    for (const [i, result] of results.entries()) {
      expect(runs[i]).toMatchObject({ status: "done", attempts: 1 });
      // Selection is the same for both: same seeds, same split, same trials.
      expect(result.trials.map((t) => [t.values.learningRate, t.status, t.history.length])).toEqual([
        [1e-6, "ok", 2],
        [0.001, "ok", 2],
        [0.003, "ok", 2],
      ]);
      const scores = result.trials.map((t) => t.validation ?? -1);
      expect(result.selected).toBe(scores.indexOf(Math.max(...scores)) + 1);
      expect(result.selected).not.toBe(1);
      expect(result.trainExamples).toBe(1_000);
    }
    expect(results[0]?.trials.map((t) => t.validation)).toEqual(results[1]?.trials.map((t) => t.validation));

    // Exactly one of the two reached the test set; the other says why not, with the count.
    const evaluated = results.filter((r) => r.final.status === "evaluated");
    const refused = results.filter((r) => r.final.status === "not_run");
    expect(evaluated).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const final = evaluated[0]?.final;
    if (final?.status !== "evaluated") throw new Error("expected an evaluated final model");
    const selected = evaluated[0]?.trials.find((t) => t.index === evaluated[0]?.selected);
    expect(final).toMatchObject({
      metric: "accuracy",
      epochs: selected?.bestEpoch,
      trainExamples: 1_000,
      testExamples: 500,
      evaluations: { used: 1, limit: 1 },
    });
    expect(final.test).toBeGreaterThan(0.5);
    expect(refused[0]?.final).toMatchObject({
      status: "not_run",
      reason: expect.stringContaining("Final test evaluation not run: You have used 1 of 1 evaluations on the hidden test set") as unknown,
    });

    // The one evaluation is recorded with what the student saw; tuning cost no attempt.
    const evaluations = await testEvaluationsOf(db, assignments.tune, userId);
    expect(evaluations.map((e) => [e.source, e.counted, e.testMetric, e.validationMetric])).toEqual([
      ["tuning", true, final.test, selected?.validation],
    ]);
    expect(await countAttempts(db, { assignmentId: assignments.tune, userId })).toBe(0);

    // Every training that ran taught the speed correction, which the grader published with its
    // calibration: three trials of each search and the evaluated final model, and the other final
    // model too when both searches got past the check before either reserved the evaluation. Its
    // value is whatever this machine's epochs took against the fixed figure; that it is learnt from
    // the real trainings and published is the point.
    expect([7, 8]).toContain(correction.count);
    const learnt = calibrator.correction.all;
    expect(learnt).toBeGreaterThanOrEqual(CORRECTION_RANGE.min);
    expect(learnt).toBeLessThanOrEqual(CORRECTION_RANGE.max);
    await expect.poll(async () => (await latestCalibration(db, { now: Date.now() }))?.correction).toBe(learnt);
    // Every training was on MNIST, and the grader kept them under the job's dataset: its own factor is the same figure.
    expect(calibrator.correction.byDataset).toEqual({ mnist: learnt });
    expect((await latestCalibration(db, { now: Date.now() }))?.corrections).toEqual({ mnist: learnt });

    // Progress names each trial, then the final model; the log tells the story.
    const evaluatedJob = results[0]?.final.status === "evaluated" ? first : second;
    const labels = (await progressSince(db, evaluatedJob ?? "", 0)).flatMap((e) => (e.event.type === "run" ? [e.event.label] : []));
    expect(labels).toEqual([
      "trial 1 of 3: learning rate 0.000001",
      "trial 2 of 3: learning rate 0.001",
      "trial 3 of 3: learning rate 0.003",
      "final model: retraining the selected configuration on train+validation",
    ]);
    expect(await jobLog(db, evaluatedJob ?? "")).toMatch(
      /tuning mnist-regularize \(grid, 3 trial\(s\)[\s\S]*trial 3 of 3[\s\S]*final model: child ended: done[\s\S]*tuning done/,
    );
    expect(runs[0]?.chargedSeconds).toBeGreaterThan(0);
  });

  it.each([
    [
      "an assignment whose toolbox does not allow tuning",
      "forbidden",
      search,
      "Your instructor has not allowed tuning on this assignment; allowed techniques: augmentation, early-stopping.",
    ],
    ["a step that is not 7", "step5", search, "Tuning runs on step 7 (regularize and tune); this assignment is step 5."],
    [
      "a grid larger than the assignment's trials",
      "tune",
      { strategy: "grid", trials: 3, space: { units: [8, 16], dropout: [0.1, 0.2] } },
      "The grid has 2 units × 2 dropout = 4 combinations, more than the 3 trials of this search",
    ],
    [
      "a search that does not parse",
      "tune",
      { strategy: "grid", trials: 3, space: { units: ["many"] } },
      "The search is not valid at space.units.0:",
    ],
  ] as const)("ends with a clear failure for %s, training nothing", async (_name, which, raw, message) => {
    const payload = which === "step5" ? solutions["mnist-beat-baseline"]?.reference : student;
    if (!payload) throw new Error("the step-5 reference is missing");
    const run = await waitForRun(db, await searchOn(assignments[which], payload, raw));
    expect(run).toMatchObject({ status: "done", attempts: 1 });
    expect(failureOf(run)).toContain(message);
    expect((await progressSince(db, run.jobId, 0)).filter((e) => e.event.type === "epoch")).toEqual([]);
  });

  it("refuses to queue a search whose estimate (every trial and the final training) exceeds the compute budget left", async () => {
    const exercise = findExercise("mnist-regularize");
    if (!exercise) throw new Error("mnist-regularize is missing");
    const { submission } = await submit(db, { assignmentId: assignments.budget, userId }, student);
    const estimateSeconds = ({ search: s }: { search?: unknown }) =>
      estimateTuningSeconds(exercise, student, TuningSearch.parse(s), { gflops: 8, maxTrials: 3, overheadSeconds: 3 });
    const queue = () =>
      enqueueTuning(db, {
        submissionId: submission.id,
        userId,
        search,
        budgetSeconds: 10,
        perMinute: 100,
        estimateSeconds,
        now: Date.now(),
      });
    // Three trials and the final model on the full 60,000 examples: about 20 s at 8 GFLOPS with each child's start.
    await expect(queue()).rejects.toThrow(PreconditionError);
    await expect(queue()).rejects.toThrow(
      /Running tune needs about \d+ s of grader time; you have 10 s left of this assignment's 10 s experiment budget\. Experiments never cost attempts, only compute\./,
    );
    expect(await tuningRunById(db, submission.id)).toBeNull();
  });
});
