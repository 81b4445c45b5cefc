/**
 * The grader's promises under failure: a worker killed mid-job, a model that eats memory, a model
 * that trains forever. Each job ends with exactly one clear verdict and the worker goes on.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { jobById, latestJobForSubmission, progressSince, type Db } from "@stepwise/db";
import { openTestDb, type TestDb } from "@stepwise/db/testing";
import { solutions } from "@stepwise/exercises/solutions";
import { startGrader, type GraderHandle } from "../src/worker";
import { GRADER_ARGV, studentWithAssignment, submit, testConfig, waitForVerdict } from "./helpers";

const graderDir = resolve(import.meta.dirname, "..");
const reference = solutions["mnist-beat-baseline"]?.reference as SubmissionPayload;

function withTraining(payload: SubmissionPayload, fit: Partial<NonNullable<SubmissionPayload["training"]>["fit"]>): SubmissionPayload {
  const copy = structuredClone(payload);
  if (copy.training) copy.training.fit = { ...copy.training.fit, ...fit };
  return copy;
}

/** A Sequential of Dense layers 784 → widths… → 10 in TF.js JSON, built by editing the reference. */
function denseStack(widths: number[]): SubmissionPayload {
  const copy = structuredClone(reference) as SubmissionPayload & {
    model: { topology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } } };
  };
  const [first, last] = copy.model.topology.config.layers;
  if (!first || !last) throw new Error("reference topology has two layers");
  copy.model.topology.config.layers = [
    ...widths.map((units, i) => ({
      class_name: "Dense",
      config: { ...first.config, name: `hidden_${i}`, units, ...(i > 0 ? { batch_input_shape: undefined } : {}) },
    })),
    last,
  ].map((layer) => ({ ...layer, config: Object.fromEntries(Object.entries(layer.config).filter(([, v]) => v !== undefined)) }));
  return copy;
}

async function countVerdicts(db: Db, submissionId: string): Promise<number> {
  const row = await db.kysely
    .selectFrom("verdicts")
    .where("submission_id", "=", submissionId)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("grader lifecycle on SQLite", () => {
  let testDb: TestDb;
  let graders: GraderHandle[] = [];
  afterEach(async () => {
    await Promise.all(graders.map((g) => g.stop()));
    graders = [];
    await testDb.cleanup();
  });

  it("a grader killed with SIGKILL mid-job: the job completes on another grader after the lease expires, with exactly one verdict", async () => {
    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    const { student, assignment } = await studentWithAssignment(db, "mnist-beat-baseline");
    const { submission, job } = await submit(
      db,
      { assignmentId: assignment.id, userId: student.id },
      withTraining(reference, { epochs: 10 }),
    );

    const doomed = spawn(process.execPath, [...GRADER_ARGV], {
      cwd: graderDir,
      detached: true,
      stdio: "ignore",
      env: {
        ...process.env,
        DATABASE_URL: url,
        GRADER_WORKER_ID: "doomed",
        GRADER_CONCURRENCY: "1",
        // The survivor reclaims the job once this lease runs out after the kill: short, still five renewals long.
        GRADER_LEASE_MS: "2000",
        GRADER_HEARTBEAT_MS: "400",
        GRADER_POLL_MS: "50",
        GRADER_TRAIN_LIMIT: "20000",
        GRADER_TEST_LIMIT: "1000",
        GRADER_CACHE_DIR: testConfig(url).cacheDir,
        // Its job is to be killed mid-training: calibrating and warming its child first
        // (calibration.test.ts and service.test.ts test those) would only delay the claim.
        GRADER_CALIBRATE: "off",
        GRADER_WARM_UP: "off",
      },
    });
    // Wait until the doomed grader's child has started training the job (10 epochs of 20,000
    // examples: seconds more of it are left), then kill its whole process group.
    for (let i = 0; ; i++) {
      const row = await jobById(db, job.id);
      if (
        row?.status === "running" &&
        row.workerId === "doomed" &&
        (await progressSince(db, job.id, 0)).some((p) => p.event.type === "started")
      )
        break;
      // A fresh grader loads its modules and its child TF.js before it trains: give a loaded machine time.
      if (i > 3000) throw new Error("the first grader never started training the job");
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-(doomed.pid ?? 0), "SIGKILL");

    graders.push(startGrader(testConfig(url, { workerId: "survivor", reapEveryMs: 300 }), { db, log: () => undefined }));
    const verdict = await waitForVerdict(db, submission.id);
    expect(verdict.status).toBe("passed");
    const finished = await latestJobForSubmission(db, submission.id);
    expect(finished?.id).toBe(job.id);
    expect(finished?.workerId).toBe("survivor");
    expect(finished?.attempts).toBe(2);
    expect(await countVerdicts(db, submission.id)).toBe(1);
  });

  // Every limit that could race is CPU time or far away: the endless training is stopped after 5 s
  // of CPU however busy the machine (a 30 s wall-clock limit once turned the bomb into a timeout with
  // two suites sharing 2 cores), and the wall-clock ceiling is out of reach of both.
  it.each([
    {
      name: "a memory bomb ends out_of_memory",
      limits: { memoryMb: 500, cpuCeilingMs: 600_000 },
      status: "out_of_memory",
      // What used the memory: one batch's activations, and the widest layer's share of them.
      summary: [
        /more than 500 MiB/,
        /At batch size 1,024 one training step holds about [\d.]+ MiB of activations/,
        /the largest is Dense "[^"]+": 4,194,304 values, 32 MiB/,
      ],
      payload: () => withTraining(denseStack([4096, 4096, 4096, 4096]), { epochs: 1, batchSize: 1024 }),
    },
    {
      name: "an endless training ends timed_out by CPU time",
      limits: { memoryMb: 2048, cpuCeilingMs: 5_000 },
      status: "timed_out",
      summary: [/exceeded 5 s at epoch \d+ of 500/, /used \d+\.\d s of CPU time \(budget 10000 s\) in \d+\.\d s of wall-clock time/],
      payload: () => withTraining(reference, { epochs: 500, batchSize: 16 }),
    },
  ])(
    "$name; the worker goes on grading",
    async ({ limits, status, summary, payload }) => {
      testDb = await openTestDb("sqlite");
      const { db, url } = testDb;
      const { student, assignment } = await studentWithAssignment(db, "mnist-beat-baseline");
      // Budgets lifted far beyond the exercise's, so only the grader's own limits stand in the way.
      await db.kysely
        .updateTable("assignments")
        .set({ overrides: JSON.stringify({ budgets: { maxParams: 60_000_000, maxSeconds: 10_000, maxEpochs: 1_000 } }) })
        .where("id", "=", assignment.id)
        .execute();
      const ids = { assignmentId: assignment.id, userId: student.id };
      graders.push(startGrader(testConfig(url, { ...limits, hardTimeoutMs: 900_000, warmUp: "off" }), { db, log: () => undefined }));

      const doomed = await submit(db, ids, payload());
      // The healthy job meets the same 5 s CPU ceiling: one epoch keeps it far below it even when
      // OpenBLAS's threads spin on a machine two suites share (several epochs once crossed it).
      const healthy = await submit(db, ids, withTraining(reference, { epochs: 1 }));

      const verdict = await waitForVerdict(db, doomed.submission.id, 600_000);
      expect(verdict.status).toBe(status);
      for (const pattern of summary) expect(verdict.summary).toMatch(pattern);

      const healthyVerdict = await waitForVerdict(db, healthy.submission.id, 600_000);
      expect(healthyVerdict.status).toBe("passed");
      // The verdict shows both clocks: the CPU time the budget counts, and the wall-clock time.
      expect(healthyVerdict.environment).toMatchObject({
        cpuMs: expect.any(Number) as unknown,
        durationMs: expect.any(Number) as unknown,
        budgetSeconds: 10_000,
      });
    },
    900_000,
  );
});

describe("invalid queue payloads", () => {
  it("a stored submission that is not a valid payload is dead-lettered once, recorded, and the grader goes on", async () => {
    const testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    const grader = startGrader(testConfig(url), { db, log: () => undefined });
    try {
      const { student, assignment } = await studentWithAssignment(db, "mnist-beat-baseline");
      const ids = { assignmentId: assignment.id, userId: student.id };
      const poisoned = await submit(db, ids, reference);
      // Corrupt it behind the queue's back, as a bad migration or a hand edit would.
      await db.kysely
        .updateTable("submissions")
        .set({ payload: '{"exerciseId": 42, "model": "DROP TABLE"}' })
        .where("id", "=", poisoned.submission.id)
        .execute();
      const healthy = await submit(db, ids, reference);

      expect((await waitForVerdict(db, healthy.submission.id)).status).toBe("passed");
      const dead = await waitForVerdict(db, poisoned.submission.id);
      expect(["error", "invalid"]).toContain(dead.status);
      const job = await jobById(db, poisoned.job.id);
      expect(job?.status).toBe("dead");
      expect(job?.attempts).toBeLessThanOrEqual(1);
      expect(job?.lastError ?? dead.summary).toMatch(/payload|submission|malformed|invalid/i);
    } finally {
      await grader.stop();
      await testDb.cleanup();
    }
  });
});
