/**
 * Leases are renewed whatever the grader's main thread is doing. Grading an IMDB job with a cold
 * cache reads 66 MB of reviews, builds the vocabulary and encodes every review synchronously on the
 * grader's event loop; renewals there waited for all of it (56 s under a 60 s lease on a busy
 * machine). They run in a thread of their own now, and a bad cache directory is only a warning.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { cancelJob, claimJob, jobById, type Db } from "@stepwise/db";
import { openTestDb, type TestDb } from "@stepwise/db/testing";
import { solutions } from "@stepwise/exercises/solutions";
import { DbHealth } from "../src/db-health";
import { GraderMetrics, serveMetrics } from "../src/metrics";
import { LeaseKeeper, type BeatReport } from "../src/heartbeat";
import { leftovers, spawnGrader, verdictCount, waitFor, type SpawnedGrader } from "./fault-helpers";
import { studentWithAssignment, submit, testConfig } from "./helpers";

const HEARTBEAT_MS = 1_000;

async function queue(db: Db, exerciseId: string) {
  const { student, assignment } = await studentWithAssignment(db, exerciseId);
  const payload = structuredClone(solutions[exerciseId]?.reference) as SubmissionPayload;
  return (await submit(db, { assignmentId: assignment.id, userId: student.id }, payload)).job;
}

describe("heartbeats and the dataset cache", () => {
  let testDb: TestDb | undefined;
  let grader: SpawnedGrader | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    if (grader?.child.exitCode === null && grader.child.pid) process.kill(-grader.child.pid, "SIGTERM");
    await grader?.exited;
    grader = undefined;
    await testDb?.cleanup();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it(`renews the lease at least every ${2 * HEARTBEAT_MS} ms while an IMDB job prepares its data from a cold cache`, async () => {
    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    const cold = mkdtempSync(join(tmpdir(), "stepwise-cold-cache-"));
    dirs.push(cold);
    const job = await queue(db, "imdb-beat-baseline");
    grader = spawnGrader(url, "beats", { GRADER_CACHE_DIR: cold, GRADER_HEARTBEAT_MS: String(HEARTBEAT_MS) });

    // Every lease renewal the database shows, as (seen at, lease until), from the claim to the verdict.
    const renewals: number[] = [];
    let lease: number | null = null;
    let claimedAt = 0;
    for (const started = Date.now(); ; ) {
      const row = await jobById(db, job.id);
      if (row?.status === "running" && row.leaseUntil !== lease) {
        if (lease === null) claimedAt = Date.now();
        else renewals.push(Date.now());
        lease = row.leaseUntil;
      }
      if (row?.status === "done" || row?.status === "dead") break;
      if (Date.now() - started > 240_000) throw new Error(`the job did not finish: ${grader.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await jobById(db, job.id))?.status).toBe("done");
    expect(await verdictCount(db, job.id)).toBe(1);
    // The data was really prepared, not read from a cache: the cold directory holds what it wrote.
    expect(readdirSync(cold).some((f) => f.startsWith("imdb-"))).toBe(true);
    const gaps = [renewals[0] ?? Number.POSITIVE_INFINITY, ...renewals.slice(1)].map(
      (t, i) => t - (i === 0 ? claimedAt : (renewals[i - 1] ?? 0)),
    );
    expect(renewals.length).toBeGreaterThan(2);
    expect(Math.max(...gaps), `gaps between renewals (ms): ${gaps.join(", ")}`).toBeLessThan(2 * HEARTBEAT_MS);
  });

  it("an uncreatable GRADER_CACHE_DIR is one clear warning, and the grader grades without a cache", async () => {
    testDb = await openTestDb("sqlite");
    const { db, url } = testDb;
    const job = await queue(db, "mnist-beat-baseline");
    // A path below a regular file can never be created.
    const bad = join(testConfig(url).cacheDir, "..", "..", "package.json", "cache");
    grader = spawnGrader(url, "no-cache", { GRADER_CACHE_DIR: bad });
    await waitFor("the job to be done", async () => (await jobById(db, job.id))?.status === "done", 120_000);
    expect(await verdictCount(db, job.id)).toBe(1);
    const warnings = grader
      .output()
      .split("\n")
      .filter((line) => line.includes("GRADER_CACHE_DIR"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(bad);
    expect(grader.output()).not.toMatch(/\n\s+at /); // no stack trace
    const pid = grader.child.pid ?? 0;
    process.kill(-pid, "SIGTERM");
    expect(await grader.exited).toBe(0);
    await waitFor("no process of the grader to be left", () => leftovers(grader?.mark ?? "").length === 0, 10_000);
  });

  it("a lost lease is reported once per attempt, however many renewal rounds run after it", async () => {
    testDb = await openTestDb("sqlite");
    const { db } = testDb;
    const job = await queue(db, "mnist-beat-baseline");
    await claimJob(db, { workerId: "keeper", leaseMs: 60_000, now: Date.now() });
    const lost: string[] = [];
    const reports: BeatReport[] = [];
    const keeper = new LeaseKeeper(
      db,
      { workerId: "keeper", leaseMs: 60_000 },
      Date.now,
      (id) => lost.push(id),
      (r) => reports.push(r),
    );
    keeper.watch(job.id);
    await keeper.round();
    expect(lost).toEqual([]);
    await cancelJob(db, job.id, Date.now());
    await Promise.all([keeper.round(), keeper.round()]);
    await keeper.round();
    expect(lost).toEqual([job.id]);
    expect(reports.every((r) => r.ok)).toBe(true);
  });
});

describe("DbHealth", () => {
  const lostConnection = () => Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });

  it("retries a statement while the connection is lost, marks the database unreachable meanwhile, and reachable after", async () => {
    const lines: string[] = [];
    const health = new DbHealth(Date.now, (line) => lines.push(line));
    let calls = 0;
    const seen: (string | null)[] = [];
    const result = await health.retrying(
      () => {
        calls += 1;
        seen.push(health.describe());
        return calls < 3 ? Promise.reject(lostConnection()) : Promise.resolve("stored");
      },
      Date.now() + 10_000,
      () => Promise.resolve(),
    );
    expect(result).toBe("stored");
    expect(calls).toBe(3);
    expect(seen[1]).toMatch(/^database unreachable since \d{4}-\d\d-\d\dT/);
    expect(health.unreachableSince).toBeNull();
    expect(lines).toHaveLength(2);
  });

  it("does not retry an error of the statement itself, nor past the deadline", async () => {
    const health = new DbHealth(Date.now, () => undefined);
    let calls = 0;
    await expect(
      health.retrying(
        () => {
          calls += 1;
          return Promise.reject(new Error("duplicate key value"));
        },
        Date.now() + 10_000,
        () => Promise.resolve(),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(calls).toBe(1);
    expect(health.unreachableSince).toBeNull();
    await expect(
      health.retrying(
        () => Promise.reject(lostConnection()),
        Date.now() - 1,
        () => Promise.resolve(),
      ),
    ).rejects.toThrow(/administrator/);
    expect(health.describe()).toMatch(/database unreachable since/);
  });

  it("/healthz says not ready while the grader warms up, since when the database is unreachable, and ok again once it answers", async () => {
    const testDb = await openTestDb("sqlite");
    const health = new DbHealth(Date.now, () => undefined);
    let ready = false;
    const server = await serveMetrics({
      port: 0,
      db: testDb.db,
      metrics: new GraderMetrics(),
      health,
      running: () => 0,
      ready: () => ready,
      workerId: "h",
    });
    try {
      const address = server.address();
      const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/healthz`;
      expect(await (await fetch(url)).json()).toMatchObject({ status: "starting", ready: false, database: "reachable" });
      ready = true;
      expect(await (await fetch(url)).json()).toMatchObject({ status: "ok", ready: true, database: "reachable" });
      health.unreachable("connection refused");
      const degraded = await fetch(url);
      expect(degraded.status).toBe(200);
      expect(await degraded.json()).toMatchObject({
        status: "degraded",
        database: expect.stringMatching(/^database unreachable since \d{4}-/) as unknown,
      });
      expect(await health.probe(testDb.db)).toBe(true);
      expect(await (await fetch(url)).json()).toMatchObject({ status: "ok", database: "reachable" });
    } finally {
      server.close();
      await testDb.cleanup();
    }
  });
});
