/**
 * The grader as an operator runs it: a process with /healthz and /metrics that drains in-flight
 * jobs on SIGTERM instead of dropping them.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jobById, verdictForJob } from "@stepwise/db";
import { openTestDb, type TestDb } from "@stepwise/db/testing";
import { solutions } from "@stepwise/exercises/solutions";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { GRADER_ARGV, studentWithAssignment, submit, testConfig } from "./helpers";

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });

describe("grader service", () => {
  let testDb: TestDb;
  afterAll(async () => testDb.cleanup());

  it("serves health and Prometheus metrics, and drains the running job on SIGTERM", async () => {
    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    const { student, assignment } = await studentWithAssignment(db, "mnist-beat-baseline");
    const payload = structuredClone(solutions["mnist-beat-baseline"]?.reference) as SubmissionPayload;
    if (payload.training) payload.training.fit.epochs = 6;
    const { job } = await submit(db, { assignmentId: assignment.id, userId: student.id }, payload);

    const port = await freePort();
    // node itself, as production runs it: pnpm does not pass SIGTERM on, and this asserts what SIGTERM does.
    const grader = spawn(process.execPath, [...GRADER_ARGV], {
      cwd: resolve(import.meta.dirname, ".."),
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        DATABASE_URL: url,
        GRADER_HTTP_PORT: String(port),
        GRADER_WORKER_ID: "svc",
        GRADER_CONCURRENCY: "1",
        GRADER_POLL_MS: "50",
        GRADER_TRAIN_LIMIT: "10000",
        GRADER_TEST_LIMIT: "1000",
        GRADER_CACHE_DIR: testConfig(url).cacheDir,
      },
    });
    let log = "";
    grader.stdout?.on("data", (c: Buffer) => (log += c.toString()));
    grader.stderr?.on("data", (c: Buffer) => (log += c.toString()));
    const exited = new Promise<number | null>((r) => grader.once("exit", (code) => r(code)));

    for (let i = 0; (await jobById(db, job.id))?.status !== "running"; i++) {
      // A fresh grader calibrates and warms its child before it claims: give a loaded machine time.
      if (i > 3000) throw new Error(`the grader never claimed the job: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", ready: true, workerId: "svc", running: 1 });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/stepwise_queue_jobs\{status="running"\} 1/);
    expect(metrics).toMatch(/stepwise_grader_running_jobs\{worker="svc"\} 1/);
    // The running job's child, plus none or one forked ahead; it trained the warm-up before the claim.
    expect(metrics).toMatch(/stepwise_grader_children_started_total\{worker="svc"\} [12]\n/);
    expect(metrics).toMatch(/stepwise_grader_child_reuses_total\{worker="svc"\} 1\n/);
    expect(log).toMatch(/warmed up 1 training child\(ren\)/);

    grader.kill("SIGTERM");
    expect(await exited).toBe(0);
    // Drained, not dropped: the job finished and its verdict was written before the process left.
    expect((await jobById(db, job.id))?.status).toBe("done");
    expect((await verdictForJob(db, job.id))?.status).toBe("passed");
    expect(log).toMatch(/SIGTERM: draining 1 running job/);
  });
});
