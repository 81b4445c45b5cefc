import { describe, expect, it } from "vitest";
import {
  cancelJob,
  claimJob,
  completeJob,
  failJob,
  heartbeat,
  jobById,
  listJobs,
  queuePosition,
  queueStats,
  reapExpired,
  verdictForJob,
} from "../src/index";
import { sampleVerdict, seedCourse, testDialects } from "../src/testing";
import { submit, useTestDb } from "./helpers";

const LEASE = 30_000;

describe.each(testDialects)("job queue on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("claims by priority, then age, and only runnable jobs", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const regrade = await submit(db, f, 100, { priority: 10 });
    const old = await submit(db, f, 200);
    const young = await submit(db, f, 300);
    const sameTime = await submit(db, f, 300);
    expect(await claimJob(db, { workerId: "w", leaseMs: LEASE, now: 150 })).toMatchObject({ job: { id: regrade.job.id } });
    const order: string[] = [];
    for (let claimed; (claimed = await claimJob(db, { workerId: "w", leaseMs: LEASE, now: 1000 })); ) order.push(claimed.job.id);
    expect(order).toEqual([old.job.id, young.job.id, sameTime.job.id]);
  });

  it("sets the lease, worker, attempt and start time, and returns the submission", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job, submission } = await submit(db, f, 100);
    const claimed = await claimJob(db, { workerId: "grader-1", leaseMs: LEASE, now: 500 });
    expect(claimed?.submission).toEqual(submission);
    expect(claimed?.job).toEqual({ ...job, status: "running", attempts: 1, leaseUntil: 500 + LEASE, workerId: "grader-1", startedAt: 500 });
    expect(await claimJob(db, { workerId: "grader-2", leaseMs: LEASE, now: 500 })).toBeNull();
  });

  it("renews the lease by heartbeat and reports a lost lease", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0);
    await claimJob(db, { workerId: "a", leaseMs: LEASE, now: 0 });
    expect(await heartbeat(db, { jobId: job.id, workerId: "a", leaseMs: LEASE, now: 20_000 })).toBe(true);
    // The renewed lease runs to 50 s, so a reaper at 40 s leaves the job alone.
    expect(await reapExpired(db, 40_000)).toBe(0);
    expect(await heartbeat(db, { jobId: job.id, workerId: "b", leaseMs: LEASE, now: 41_000 })).toBe(false);
    expect(await reapExpired(db, 50_001)).toBe(1);
    expect(await claimJob(db, { workerId: "b", leaseMs: LEASE, now: 50_002 })).toMatchObject({
      job: { id: job.id, attempts: 2, workerId: "b" },
    });
    expect(await heartbeat(db, { jobId: job.id, workerId: "a", leaseMs: LEASE, now: 50_003 })).toBe(false);
    expect(await completeJob(db, { jobId: job.id, workerId: "a", verdict: sampleVerdict(), now: 50_004 })).toBe("lost");
    expect(await completeJob(db, { jobId: job.id, workerId: "b", verdict: sampleVerdict(), now: 50_005 })).toBe("stored");
  });

  it("reaps expired leases and dead-letters after maxAttempts", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0, { maxAttempts: 2 });
    let now = 0;
    for (const attempt of [1, 2]) {
      const claimed = await claimJob(db, { workerId: `w${attempt}`, leaseMs: LEASE, now });
      expect(claimed?.job.attempts).toBe(attempt);
      now += LEASE + 1;
      expect(await reapExpired(db, now)).toBe(1);
    }
    const dead = await jobById(db, job.id);
    expect(dead).toMatchObject({ status: "dead", finishedAt: now, leaseUntil: null });
    expect(dead?.lastError).toMatch(/Lease expired while held by worker w2 \(attempt 2 of 2\)/);
    const verdict = await verdictForJob(db, job.id);
    expect(verdict).toMatchObject({ status: "error", score: 0 });
    expect(verdict?.diagnostics[0]?.code).toBe("grader_error");
    expect(await claimJob(db, { workerId: "w3", leaseMs: LEASE, now })).toBeNull();
  });

  it("stores a verdict once: a second completion is a duplicate", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0);
    await claimJob(db, { workerId: "w", leaseMs: LEASE, now: 1 });
    const input = { jobId: job.id, workerId: "w", verdict: sampleVerdict("passed", 0.9), now: 2 };
    expect(await completeJob(db, input)).toBe("stored");
    expect(await completeJob(db, { ...input, verdict: sampleVerdict("failed", 0.1), now: 3 })).toBe("duplicate");
    const rows = await db.kysely.selectFrom("verdicts").selectAll().where("job_id", "=", job.id).execute();
    expect(rows).toHaveLength(1);
    expect(await verdictForJob(db, job.id)).toEqual(sampleVerdict("passed", 0.9));
    expect(await jobById(db, job.id)).toMatchObject({ status: "done", finishedAt: 2, leaseUntil: null });
  });

  it("retries a grader fault with backoff, then dead-letters it", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0, { maxAttempts: 3 });
    const backoffMs = (attempt: number) => 1000 * attempt;
    let now = 0;
    for (const attempt of [1, 2]) {
      await claimJob(db, { workerId: "w", leaseMs: LEASE, now });
      expect(await failJob(db, { jobId: job.id, workerId: "w", error: `boom ${attempt}`, now, backoffMs })).toBe("retrying");
      expect(await jobById(db, job.id)).toMatchObject({
        status: "queued",
        runAfter: now + 1000 * attempt,
        lastError: `boom ${attempt}`,
        workerId: null,
      });
      expect(await claimJob(db, { workerId: "w", leaseMs: LEASE, now: now + 1000 * attempt - 1 })).toBeNull();
      now += 1000 * attempt;
    }
    await claimJob(db, { workerId: "w", leaseMs: LEASE, now });
    expect(await failJob(db, { jobId: job.id, workerId: "w", error: "boom 3", now, backoffMs })).toBe("dead");
    expect(await jobById(db, job.id)).toMatchObject({ status: "dead", attempts: 3, lastError: "boom 3" });
    expect((await verdictForJob(db, job.id))?.diagnostics[0]?.message).toBe("boom 3");
    expect(await failJob(db, { jobId: job.id, workerId: "w", error: "again", now, backoffMs })).toBe("dead");
  });

  it("cancels queued and running jobs; the worker learns at its heartbeat", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const queued = await submit(db, f, 1);
    const running = await submit(db, f, 0);
    await claimJob(db, { workerId: "w", leaseMs: LEASE, now: 2 });
    expect(await cancelJob(db, queued.job.id, 3)).toBe(true);
    expect(await cancelJob(db, running.job.id, 3)).toBe(true);
    expect(await cancelJob(db, running.job.id, 4)).toBe(false);
    expect(await heartbeat(db, { jobId: running.job.id, workerId: "w", leaseMs: LEASE, now: 5 })).toBe(false);
    expect(await completeJob(db, { jobId: running.job.id, workerId: "w", verdict: sampleVerdict(), now: 6 })).toBe("lost");
    expect(await claimJob(db, { workerId: "w", leaseMs: LEASE, now: 7 })).toBeNull();
    expect(await queueStats(db)).toEqual({ queued: 0, running: 0, done: 0, dead: 0, cancelled: 2 });
  });

  it("reports queue positions in claim order", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const a = await submit(db, f, 10);
    const b = await submit(db, f, 20);
    const c = await submit(db, f, 20);
    const urgent = await submit(db, f, 30, { priority: -1 });
    const positions = async () => Promise.all([a, b, c, urgent].map(({ job }) => queuePosition(db, job.id)));
    expect(await positions()).toEqual([1, 2, 3, 0]);
    await claimJob(db, { workerId: "w", leaseMs: LEASE, now: 40 });
    expect(await positions()).toEqual([0, 1, 2, null]);
    expect(await queuePosition(db, "missing")).toBeNull();
  });

  it("lists jobs newest first with their verdict status, and counts them by status", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const first = await submit(db, f, 1);
    const second = await submit(db, f, 2);
    await claimJob(db, { workerId: "w", leaseMs: LEASE, now: 3 });
    await completeJob(db, { jobId: first.job.id, workerId: "w", verdict: sampleVerdict("failed", 0.3), now: 4 });
    const all = await listJobs(db);
    expect(all.map((j) => [j.id, j.verdictStatus])).toEqual([
      [second.job.id, null],
      [first.job.id, "failed"],
    ]);
    expect((await listJobs(db, { status: "done" })).map((j) => j.id)).toEqual([first.job.id]);
    expect(await listJobs(db, { limit: 1 })).toHaveLength(1);
    expect(await queueStats(db)).toEqual({ queued: 1, running: 0, done: 1, dead: 0, cancelled: 0 });
  });
});
