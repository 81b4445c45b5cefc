import { NotFoundError, ValidationError } from "@stepwise/core/contracts";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  cancelJob,
  claimJob,
  completeJob,
  type Db,
  openDb,
  recordTestEvaluationResult,
  reserveTestEvaluation,
  testEvaluationForJob,
  testEvaluationsOf,
  testEvaluationsUsed,
  flaggedTestEvaluations,
  selectionOnTest,
  type TestEvaluation,
} from "../src/index";
import { type Fixture, sampleVerdict, seedCourse, testDialects } from "../src/testing";
import { submit, useTestDb } from "./helpers";

function reservation(
  f: Fixture,
  submissionId: string,
  now: number,
  options: { limit?: number; jobId?: string; source?: "submission" | "tuning" } = {},
) {
  return {
    assignmentId: f.assignment.id,
    userId: f.student.id,
    source: options.source ?? "submission",
    submissionId,
    ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
    limit: options.limit ?? 3,
    now,
  } as const;
}

/** Claims `jobId` as worker "w" and stores a verdict of the given status. */
async function finish(db: Db, jobId: string, status: "passed" | "failed" | "invalid", now: number) {
  const claimed = await claimJob(db, { workerId: "w", leaseMs: 60_000, now });
  expect(claimed?.job.id).toBe(jobId);
  expect(await completeJob(db, { jobId, workerId: "w", verdict: sampleVerdict(status, status === "passed" ? 1 : 0), now: now + 1 })).toBe(
    "stored",
  );
}

describe.each(testDialects)("test evaluations on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("grants up to the limit, then refuses without writing; a job's reservation is granted again without counting twice", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1, "mnist-regularize");
    const granted = [];
    for (let i = 0; i < 3; i++) {
      const { submission, job } = await submit(db, f, 10 + i);
      granted.push(await reserveTestEvaluation(db, reservation(f, submission.id, 20 + i, { jobId: job.id })));
    }
    expect(granted.map((g) => [g.ok, g.used, g.limit])).toEqual([
      [true, 1, 3],
      [true, 2, 3],
      [true, 3, 3],
    ]);
    const { submission, job } = await submit(db, f, 30);
    expect(await reserveTestEvaluation(db, reservation(f, submission.id, 31, { jobId: job.id }))).toEqual({ ok: false, used: 3, limit: 3 });
    expect(await testEvaluationsOf(db, f.assignment.id, f.student.id)).toHaveLength(3);

    // A reclaimed tuning job asks again for its final phase: same reservation, still 3 used.
    const first = granted[0];
    const again = await reserveTestEvaluation(
      db,
      reservation(f, submission.id, 40, { jobId: (await testEvaluationsOf(db, f.assignment.id, f.student.id))[0]?.jobId ?? "" }),
    );
    expect(again).toEqual({ ok: true, id: first?.ok ? first.id : "", used: 3, limit: 3 });
    // Another student, or another assignment, has their own count.
    expect(await testEvaluationsUsed(db, f.assignment.id, f.instructor.id)).toBe(0);
  });

  it("does not count evaluations that never reached the test set: cancelled jobs and invalid verdicts", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1, "mnist-regularize");
    const a = await submit(db, f, 10);
    const b = await submit(db, f, 11);
    const c = await submit(db, f, 12);
    for (const [s, now] of [
      [a, 13],
      [b, 14],
      [c, 15],
    ] as const) {
      expect((await reserveTestEvaluation(db, reservation(f, s.submission.id, now, { jobId: s.job.id }))).ok).toBe(true);
    }
    expect(await testEvaluationsUsed(db, f.assignment.id, f.student.id)).toBe(3);
    await finish(db, a.job.id, "invalid", 100);
    await finish(db, b.job.id, "failed", 200);
    expect(await cancelJob(db, c.job.id, 300)).toBeTruthy();
    const rows = await testEvaluationsOf(db, f.assignment.id, f.student.id);
    expect(rows.map((r) => [r.submissionId, r.counted])).toEqual([
      [a.submission.id, false],
      [b.submission.id, true],
      [c.submission.id, false],
    ]);
    expect(await testEvaluationsUsed(db, f.assignment.id, f.student.id)).toBe(1);
    const d = await submit(db, f, 400);
    expect(await reserveTestEvaluation(db, reservation(f, d.submission.id, 401, { jobId: d.job.id }))).toMatchObject({ ok: true, used: 2 });
  });

  it("holds the limit under concurrent requests: of 10 reservations with limit 3 exactly 3 are granted", async () => {
    const { db, url } = t();
    const f = await seedCourse(db, 1, "mnist-regularize");
    const submissions = [];
    for (let i = 0; i < 10; i++) submissions.push(await submit(db, f, 10 + i));
    // PostgreSQL: separate pools (connections), as web instances and graders would have. SQLite: one
    // connection whose transactions queue (a second one in this thread would block on the file lock).
    const handles = dialect === "postgres" ? [await openDb(url, { poolSize: 5 }), await openDb(url, { poolSize: 5 })] : [db];
    try {
      // Open every pooled connection first, so the ten transactions really overlap (a pool that is
      // still connecting staggers them, and a race would go unnoticed).
      if (dialect === "postgres")
        await Promise.all(handles.flatMap((h) => Array.from({ length: 5 }, () => sql`select pg_sleep(0.05)`.execute(h.kysely))));
      const outcomes = await Promise.all(
        submissions.map((s, i) =>
          reserveTestEvaluation(handles[i % handles.length] ?? db, reservation(f, s.submission.id, 100, { jobId: s.job.id })),
        ),
      );
      expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
      expect(outcomes.filter((o) => !o.ok).every((o) => o.used === 3)).toBe(true);
      expect(await testEvaluationsUsed(db, f.assignment.id, f.student.id)).toBe(3);
      expect(await testEvaluationsOf(db, f.assignment.id, f.student.id)).toHaveLength(3);
    } finally {
      if (dialect === "postgres") for (const h of handles) await h.close();
    }
  });

  it("records results and flags a configuration chosen on test, with the evidence", async () => {
    const { db } = t();
    const f = await seedCourse(db, 1, "mnist-regularize");
    const evaluate = async (now: number, configKey: string, validationMetric: number, testMetric: number) => {
      const { submission, job } = await submit(db, f, now);
      const r = await reserveTestEvaluation(db, reservation(f, submission.id, now, { jobId: job.id, limit: 5 }));
      if (!r.ok) throw new Error("reservation refused");
      expect((await testEvaluationForJob(db, job.id))?.id).toBe(r.id);
      const { flag } = await recordTestEvaluationResult(db, r.id, {
        validationMetric,
        validationMetricName: "valAccuracy",
        testMetric,
        configKey,
        now: now + 50,
      });
      return { id: r.id, submissionId: submission.id, flag };
    };
    const a = await evaluate(1_000, "config-a", 0.9, 0.88);
    expect(a.flag).toBeNull();
    // Better on validation: a legitimate choice.
    const b = await evaluate(2_000, "config-b", 0.92, 0.87);
    expect(b.flag).toBeNull();
    // Worse on validation than both, after having seen their test scores: only the test score can prefer it.
    const c = await evaluate(3_000, "config-c", 0.91, 0.9);
    expect(c.flag).toEqual({
      higherIsBetter: true,
      validationMetricName: "valAccuracy",
      earlier: { evaluationId: b.id, submissionId: b.submissionId, configKey: "config-b", validationMetric: 0.92, testMetric: 0.87 },
      current: { validationMetric: 0.91, testMetric: 0.9 },
    });
    // The same configuration again is not another configuration.
    expect((await evaluate(4_000, "config-b", 0.92, 0.87)).flag).toBeNull();
    const flagged = await flaggedTestEvaluations(db, [f.assignment.id]);
    expect(flagged.map((e) => e.id)).toEqual([c.id]);
    expect(flagged[0]?.flag?.earlier.testMetric).toBe(0.87);
    // Recording again (a retried job) gives the same answer.
    expect(
      (
        await recordTestEvaluationResult(db, c.id, {
          validationMetric: 0.91,
          validationMetricName: "valAccuracy",
          testMetric: 0.9,
          configKey: "config-c",
          now: 3_100,
        })
      ).flag,
    ).not.toBeNull();
  });

  it.each([
    ["a limit below 0", { limit: -1 }, ValidationError],
    ["a fractional limit", { limit: 1.5 }, ValidationError],
  ])("refuses %s", async (_label, options, error) => {
    const { db } = t();
    const f = await seedCourse(db, 1, "mnist-regularize");
    const { submission } = await submit(db, f, 10);
    await expect(reserveTestEvaluation(db, reservation(f, submission.id, 20, options))).rejects.toBeInstanceOf(error);
  });

  it("refuses to record on an unknown evaluation or with a non-finite metric", async () => {
    const { db } = t();
    await expect(recordTestEvaluationResult(db, "nope", { validationMetric: 0.5, testMetric: 0.5, configKey: "k" })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(recordTestEvaluationResult(db, "nope", { validationMetric: Number.NaN, testMetric: 0.5, configKey: "k" })).rejects.toThrow(
      /validationMetric must be a finite number/,
    );
  });
});

describe("selectionOnTest", () => {
  const seen = (id: string, configKey: string, validationMetric: number, testMetric: number, evaluatedAt = 100): TestEvaluation => ({
    id,
    assignmentId: "a",
    userId: "u",
    source: "submission",
    submissionId: `s-${id}`,
    jobId: null,
    createdAt: evaluatedAt - 50,
    evaluatedAt,
    validationMetric,
    validationMetricName: "valAccuracy",
    testMetric,
    higherIsBetter: true,
    configKey,
    counted: true,
    flag: null,
  });
  const current = (
    validationMetric: number,
    options: { createdAt?: number; higherIsBetter?: boolean; configKey?: string; metric?: string } = {},
  ) => ({
    id: "now",
    createdAt: options.createdAt ?? 1_000,
    configKey: options.configKey ?? "new",
    validationMetric,
    validationMetricName: options.metric ?? "valAccuracy",
    testMetric: 0.5,
    higherIsBetter: options.higherIsBetter ?? true,
  });

  it.each([
    ["validation worse than a configuration whose test score was seen", current(0.8), [seen("x", "old", 0.85, 0.7)], "x"],
    ["validation equal (not better)", current(0.85), [seen("x", "old", 0.85, 0.7)], "x"],
    ["validation better than every earlier one", current(0.9), [seen("x", "old", 0.85, 0.7)], null],
    ["the earlier test score was not yet seen when submitting", current(0.8, { createdAt: 90 }), [seen("x", "old", 0.85, 0.7)], null],
    ["the same configuration again", current(0.8, { configKey: "old" }), [seen("x", "old", 0.85, 0.7)], null],
    ["no earlier evaluation", current(0.8), [], null],
    [
      "a loss (lower is better) that got worse",
      current(0.4, { higherIsBetter: false, metric: "valLoss" }),
      [{ ...seen("x", "old", 0.3, 0.35), validationMetricName: "valLoss", higherIsBetter: false }],
      "x",
    ],
    [
      "a loss that improved",
      current(0.2, { higherIsBetter: false, metric: "valLoss" }),
      [{ ...seen("x", "old", 0.3, 0.35), validationMetricName: "valLoss", higherIsBetter: false }],
      null,
    ],
    [
      "unlike validation metrics (a K-fold mean against a best epoch)",
      current(0.8, { metric: "kfoldMean" }),
      [seen("x", "old", 0.85, 0.7)],
      null,
    ],
    ["evidence is the best earlier validation", current(0.7), [seen("x", "a", 0.75, 0.6), seen("y", "b", 0.8, 0.55)], "y"],
  ])("%s", (_label, now, earlier, expected) => {
    expect(selectionOnTest(now, earlier)?.earlier.evaluationId ?? null).toBe(expected);
  });
});
