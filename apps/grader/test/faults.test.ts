/**
 * The grader under a failing database and stop signals, on PostgreSQL: connections terminated by
 * the server mid-claim, mid-heartbeat, mid-verdict-write and everywhere at once during training;
 * SIGTERM to a grader's process group and to the production command. Each job ends with exactly one
 * verdict, a grader's own shutdown costs no attempt, and no process is left behind.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { jobById, type Db } from "@stepwise/db";
import { backendsWaiting, holdLock, openTestDb, terminateBackends, testDialects, type TestDb } from "@stepwise/db/testing";
import { solutions } from "@stepwise/exercises/solutions";
import { startGrader, type GraderHandle } from "../src/worker";
import {
  groupAlive,
  leftovers,
  PRODUCTION_COMMAND,
  repoDir,
  spawnGrader,
  verdictCount,
  waitFor,
  type SpawnedGrader,
} from "./fault-helpers";
import { studentWithAssignment, submit, testConfig } from "./helpers";

/** The reference MNIST model, trained long enough on 300 rows that a fault can land during training. */
function payload(epochs: number): SubmissionPayload {
  const copy = structuredClone(solutions["mnist-beat-baseline"]?.reference) as SubmissionPayload;
  if (copy.training) copy.training.fit = { ...copy.training.fit, epochs, batchSize: 8 };
  return copy;
}

async function queued(db: Db, count: number, epochs: number) {
  const { student, assignment } = await studentWithAssignment(db, "mnist-beat-baseline");
  // Budgets lifted so a long training is allowed: these tests need a job that is still training when the fault lands.
  await db.kysely
    .updateTable("assignments")
    .set({ overrides: JSON.stringify({ budgets: { maxSeconds: 10_000, maxEpochs: 1_000 } }) })
    .where("id", "=", assignment.id)
    .execute();
  const jobs = [];
  for (let i = 0; i < count; i++) jobs.push((await submit(db, { assignmentId: assignment.id, userId: student.id }, payload(epochs))).job);
  return jobs;
}

/** Training has begun: the job is running and has reported an epoch. */
const training = async (db: Db, jobId: string) => {
  const job = await jobById(db, jobId);
  if (job?.status !== "running") return false;
  const row = await db.kysely.selectFrom("job_progress").select("job_id").where("job_id", "=", jobId).executeTakeFirst();
  return row !== undefined;
};

const done = async (db: Db, jobId: string) => (await jobById(db, jobId))?.status === "done";

describe.runIf(testDialects.includes("postgres"))("grader faults on PostgreSQL", () => {
  let testDb: TestDb | undefined;
  let spawned: SpawnedGrader[] = [];
  let inProcess: GraderHandle[] = [];
  afterEach(async () => {
    for (const g of spawned) if (g.child.exitCode === null && g.child.pid) process.kill(-g.child.pid, "SIGKILL");
    await Promise.all(spawned.map((g) => g.exited));
    await Promise.all(inProcess.map((g) => g.stop()));
    spawned = [];
    inProcess = [];
    await testDb?.cleanup();
    testDb = undefined;
  });

  /** Stops a spawned grader with SIGTERM to its group and checks it left cleanly: exit 0, nothing behind. */
  async function stopCleanly(grader: SpawnedGrader) {
    const pgid = grader.child.pid ?? 0;
    process.kill(-pgid, "SIGTERM");
    expect(await grader.exited, grader.output()).toBe(0);
    await waitFor("the grader's process group to be empty", () => !groupAlive(pgid), 60_000);
    await waitFor("no process of the grader to be left", () => leftovers(grader.mark).length === 0, 60_000);
  }

  /** A fresh database with one queued job, and how to start a grader on it. */
  async function oneJob(name: string, epochs: number, env: Record<string, string> = {}) {
    testDb = await openTestDb("postgres");
    const { db, url } = testDb;
    const [job] = await queued(db, 1, epochs);
    if (!job) throw new Error("no job");
    const start = () => {
      const grader = spawnGrader(url, name, env);
      spawned.push(grader);
      return grader;
    };
    return { db, url, job, start };
  }

  /** One job and its grader, once the job trains. */
  async function oneJobTraining(name: string, epochs: number, env: Record<string, string> = {}) {
    const { db, url, job, start } = await oneJob(name, epochs, env);
    const grader = start();
    await waitFor("the job to be training", () => training(db, job.id), undefined, grader.output);
    return { db, url, job, grader };
  }

  /** The job ended done with one verdict on its first attempt. */
  async function gradedOnce(db: Db, jobId: string, output: () => string) {
    await waitFor("the job to be done", () => done(db, jobId), 60_000, output);
    expect(await verdictCount(db, jobId)).toBe(1);
    expect((await jobById(db, jobId))?.attempts, output()).toBe(1);
  }

  it("every grader connection terminated again and again during training: graders stay up, each job ends done once, uncharged", async () => {
    testDb = await openTestDb("postgres");
    const { db, url } = testDb;
    const jobs = await queued(db, 2, 40);
    const graders = ["kill-a", "kill-b"].map((name) => spawnGrader(url, name));
    spawned.push(...graders);
    await waitFor("both jobs to be training", async () => (await Promise.all(jobs.map((j) => training(db, j.id)))).every(Boolean));
    let killed = 0;
    for (let round = 0; round < 3; round++) {
      for (const g of graders) killed += await terminateBackends(db, g.name);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(killed).toBeGreaterThan(0);
    // Lease (6 s) + 30 s.
    await waitFor("every job to be done", async () => (await Promise.all(jobs.map((j) => done(db, j.id)))).every(Boolean));
    for (const job of jobs) {
      expect(await verdictCount(db, job.id)).toBe(1);
      expect((await jobById(db, job.id))?.attempts, graders.map((g) => g.output()).join("\n")).toBe(1);
    }
    for (const g of graders) expect(g.child.exitCode, g.output()).toBeNull();
    for (const g of graders) await stopCleanly(g);
  });

  it.each([
    { where: "mid-claim", lock: "jobs" as const, statement: "%update%jobs%" },
    { where: "mid-verdict-write", lock: "verdicts" as const, statement: 'insert into "verdicts"%' },
  ])("a connection terminated $where: the grader carries on and the job gets one verdict", async ({ lock, statement }) => {
    const { db, job, start } = await oneJob(`lock-${lock}`, 3);
    // Writers to the table wait behind the lock; the grader's statement is then terminated while it waits.
    const release = await holdLock(db, { table: lock });
    const grader = start();
    try {
      await waitFor(
        `the grader to wait in ${statement}`,
        async () => (await backendsWaiting(db, grader.name, statement)) > 0,
        undefined,
        grader.output,
      );
      expect(await terminateBackends(db, grader.name, statement)).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await release();
    }
    await gradedOnce(db, job.id, grader.output);
    expect(grader.child.exitCode, grader.output()).toBeNull();
    await stopCleanly(grader);
  });

  it("a connection terminated mid-heartbeat: the lease is renewed on a new connection and the job finishes once", async () => {
    const { db, job, grader } = await oneJobTraining("beat", 40);
    const release = await holdLock(db, { jobRow: job.id });
    try {
      const heartbeatSql = 'update "jobs" set "lease_until"%';
      await waitFor("a heartbeat to wait on the job's row", async () => (await backendsWaiting(db, grader.name, heartbeatSql)) > 0, 60_000);
      expect(await terminateBackends(db, grader.name, heartbeatSql)).toBeGreaterThan(0);
    } finally {
      await release();
    }
    await gradedOnce(db, job.id, grader.output);
    expect(grader.output()).not.toMatch(/lost the lease/);
    await stopCleanly(grader);
  });

  it("SIGTERM to the grader's process group while a job trains: the job finishes or goes back uncharged, the grader exits 0 and leaves nothing", async () => {
    const { db, url, job, grader } = await oneJobTraining("term-group", 40, { GRADER_DRAIN_MS: "60000" });
    await stopCleanly(grader);
    const after = await jobById(db, job.id);
    // The training child got the group's signal too: either it survived it and the drain let the job
    // finish, or it died of it and the grader handed the job back with its attempt given back.
    if (after?.status === "done")
      expect({ attempts: after.attempts, verdicts: await verdictCount(db, job.id) }).toEqual({ attempts: 1, verdicts: 1 });
    else
      expect({ status: after?.status, attempts: after?.attempts, verdicts: await verdictCount(db, job.id) }).toEqual({
        status: "queued",
        attempts: 0,
        verdicts: 0,
      });
    expect(grader.output()).not.toMatch(/failed \(retrying\)|attempt \d+ failed/);

    // Whatever happened, the job is graded exactly once in the end.
    inProcess.push(startGrader(testConfig(url, { workerId: "finisher", trainLimit: 300, testLimit: 200 }), { db, log: () => undefined }));
    await waitFor("the job to be done", () => done(db, job.id));
    expect(await verdictCount(db, job.id)).toBe(1);
    expect((await jobById(db, job.id))?.attempts, grader.output()).toBe(1);
  });

  it("the drain deadline hands a still-running job back uncharged and the grader exits 0, leaving nothing", async () => {
    const { db, job, grader } = await oneJobTraining("term-drain", 500, { GRADER_DRAIN_MS: "300" });
    // To the grader alone: whatever the training child does with group signals, only the deadline ends it.
    grader.child.kill("SIGTERM");
    expect(await grader.exited, grader.output()).toBe(0);
    await waitFor("no process of the grader to be left", () => leftovers(grader.mark).length === 0, 60_000);
    expect(await jobById(db, job.id)).toMatchObject({ status: "queued", attempts: 0, workerId: null });
    expect(await verdictCount(db, job.id)).toBe(0);
    expect(grader.output()).toMatch(/handed job \S+ back to the queue \(shutting down\); no attempt charged/);
  });

  it("the README's production command under `timeout -s TERM`, again and again: exit 0, no process left, no attempt charged", async () => {
    testDb = await openTestDb("postgres");
    const { db, url } = testDb;
    // As long as a submission may train (500 epochs): no run below should finish it; should a fast machine finish it anyway, that is
    // a real grading (one verdict, its one attempt), never a shutdown charged as an attempt.
    const [job] = await queued(db, 1, 500);
    if (!job) throw new Error("no job");
    // On an idle machine the first TERM lands while the grader calibrates (as production starts it,
    // ~1–3 s after its start), the others, of graders that skip the calibration and train within ~3 s,
    // while the job trains, at two depths; on a loaded one they land earlier in that sequence. Every
    // instant must end the same way, and past the training's start a later one adds nothing but waiting.
    for (const { seconds, calibrate } of [
      { seconds: 3, calibrate: "on" },
      { seconds: 4, calibrate: "off" },
      { seconds: 6, calibrate: "off" },
    ]) {
      const grader = spawnGrader(url, `timeout-${seconds}`, { GRADER_DRAIN_MS: "300", GRADER_CALIBRATE: calibrate }, [
        "timeout",
        "--preserve-status",
        "-s",
        "TERM",
        String(seconds),
        process.execPath,
        ...PRODUCTION_COMMAND,
      ]);
      spawned.push(grader);
      const code = await grader.exited;
      // A TERM that lands while node is still loading the grader (a loaded machine can take seconds)
      // meets node's default action, before the grader exists: 143, and nothing claimed. Once the
      // grader has said a word, it must drain and exit 0.
      const started = grader.output().includes("[grader ");
      expect(started ? code : 0, grader.output()).toBe(0);
      if (!started) expect(code).toBe(143);
      await waitFor("no process of the grader to be left", () => leftovers(grader.mark).length === 0, 60_000);
      const after = await jobById(db, job.id);
      if (after?.status === "done") {
        expect({ attempts: after.attempts, verdicts: await verdictCount(db, job.id) }, grader.output()).toEqual({
          attempts: 1,
          verdicts: 1,
        });
        break;
      }
      expect(after?.status, grader.output()).toBe("queued");
      expect(after?.attempts).toBe(0);
      expect(await verdictCount(db, job.id)).toBe(0);
    }
  });
});

it("README shows the production grader command that these tests run", () => {
  expect(readFileSync(join(repoDir, "README.md"), "utf8")).toContain(`node ${PRODUCTION_COMMAND.join(" ")}`);
});
