/**
 * Scale-out on PostgreSQL: two grader processes share one queue of jobs. Every job is graded
 * exactly once (one verdict per job, one claim per attempt), whichever process took it. Sixteen
 * one-epoch jobs keep both processes claiming against each other for the whole run; more only
 * repeat the same races at a minute of training each.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { listJobs } from "@stepwise/db";
import { openTestDb, testDialects, type TestDb } from "@stepwise/db/testing";
import { solutions } from "@stepwise/exercises/solutions";
import { GRADER_ARGV, studentWithAssignment, submit, testConfig } from "./helpers";

const graderDir = resolve(import.meta.dirname, "..");
const JOBS = 16;

describe.runIf(testDialects.includes("postgres"))("two grader processes against PostgreSQL", () => {
  let testDb: TestDb | undefined;
  const processes: ChildProcess[] = [];
  afterAll(async () => {
    for (const p of processes) if (p.exitCode === null) p.kill("SIGTERM");
    await Promise.all(processes.map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : Promise.resolve())));
    await testDb?.cleanup();
  });

  it(`grade ${JOBS} queued jobs, each exactly once`, async () => {
    testDb = await openTestDb("postgres");
    const { db, url } = testDb;
    const { student, assignment } = await studentWithAssignment(db, "mnist-beat-baseline");
    const payload = structuredClone(solutions["mnist-beat-baseline"]?.reference) as SubmissionPayload;
    if (payload.training) payload.training.fit.epochs = 1;
    for (let i = 0; i < JOBS; i++) await submit(db, { assignmentId: assignment.id, userId: student.id }, payload);

    for (const name of ["pg-a", "pg-b"]) {
      // Under node itself, as production runs it: pnpm would not pass afterAll's SIGTERM on.
      const child = spawn(process.execPath, [...GRADER_ARGV], {
        cwd: graderDir,
        stdio: "ignore",
        env: {
          ...process.env,
          DATABASE_URL: url,
          GRADER_WORKER_ID: name,
          GRADER_CONCURRENCY: "1",
          GRADER_WARM_UP: "off",
          // The queue's sharing is the point: measuring each grader's speed first only delays its first claim.
          GRADER_CALIBRATE: "off",
          GRADER_POLL_MS: "50",
          GRADER_TRAIN_LIMIT: "300",
          GRADER_TEST_LIMIT: "200",
          GRADER_CACHE_DIR: testConfig(url).cacheDir,
        },
      });
      processes.push(child);
    }

    const deadline = Date.now() + 280_000;
    let jobs = await listJobs(db, { limit: 1000 });
    while (jobs.some((j) => j.status !== "done") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      jobs = await listJobs(db, { limit: 1000 });
    }
    expect(jobs).toHaveLength(JOBS);
    expect(jobs.every((j) => j.status === "done" && j.attempts === 1 && j.verdictStatus !== null)).toBe(true);
    const verdicts = await db.kysely.selectFrom("verdicts").select(["job_id"]).execute();
    expect(new Set(verdicts.map((v) => v.job_id)).size).toBe(JOBS);
    expect(verdicts).toHaveLength(JOBS);
    // Both processes took part: the queue spread the work.
    const workers = new Set(jobs.map((j) => j.workerId));
    expect(workers).toEqual(new Set(["pg-a", "pg-b"]));
  });
});
