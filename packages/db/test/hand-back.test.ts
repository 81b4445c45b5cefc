import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { claimJob, completeJob, failJob, handBackJob, heartbeat, isConnectionError, jobById, openDb } from "../src/index";
import { sampleVerdict, seedCourse, testDialects } from "../src/testing";
import { submit, useTestDb } from "./helpers";

const LEASE = 30_000;

describe.each(testDialects)("handing a job back on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("requeues a running job runnable at once, with the attempt its claim charged given back", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0);
    await claimJob(db, { workerId: "a", leaseMs: LEASE, now: 10 });
    expect(await handBackJob(db, { jobId: job.id, workerId: "a", now: 20 })).toBe(true);
    expect(await jobById(db, job.id)).toMatchObject({ status: "queued", attempts: 0, runAfter: 20, leaseUntil: null, workerId: null });
    // The old holder's heartbeat and verdict are refused: the job is no longer its own.
    expect(await heartbeat(db, { jobId: job.id, workerId: "a", leaseMs: LEASE, now: 21 })).toBe(false);
    expect(await completeJob(db, { jobId: job.id, workerId: "a", verdict: sampleVerdict(), now: 22 })).toBe("lost");
    expect(await claimJob(db, { workerId: "b", leaseMs: LEASE, now: 20 })).toMatchObject({
      job: { id: job.id, attempts: 1, workerId: "b" },
    });
  });

  it("refuses a job that is not the caller's: held by another grader, queued, or done", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0);
    expect(await handBackJob(db, { jobId: job.id, workerId: "a", now: 1 })).toBe(false);
    await claimJob(db, { workerId: "a", leaseMs: LEASE, now: 1 });
    expect(await handBackJob(db, { jobId: job.id, workerId: "b", now: 2 })).toBe(false);
    expect(await jobById(db, job.id)).toMatchObject({ status: "running", attempts: 1, workerId: "a" });
    await completeJob(db, { jobId: job.id, workerId: "a", verdict: sampleVerdict(), now: 3 });
    expect(await handBackJob(db, { jobId: job.id, workerId: "a", now: 4 })).toBe(false);
    expect(await jobById(db, job.id)).toMatchObject({ status: "done", attempts: 1 });
  });

  it("a job that failed once and then finished done keeps no last_error", async () => {
    const { db } = t();
    const f = await seedCourse(db, 0);
    const { job } = await submit(db, f, 0, { maxAttempts: 3 });
    await claimJob(db, { workerId: "w", leaseMs: LEASE, now: 0 });
    await failJob(db, { jobId: job.id, workerId: "w", error: "boom", now: 0, backoffMs: () => 0 });
    expect((await jobById(db, job.id))?.lastError).toBe("boom");
    await claimJob(db, { workerId: "w", leaseMs: LEASE, now: 1 });
    expect(await completeJob(db, { jobId: job.id, workerId: "w", verdict: sampleVerdict(), now: 2 })).toBe("stored");
    expect(await jobById(db, job.id)).toMatchObject({ status: "done", attempts: 2, lastError: null });
  });
});

describe.runIf(testDialects.includes("postgres"))("a PostgreSQL pool whose connections are terminated", () => {
  const t = useTestDb("postgres");

  it("survives pg_terminate_backend on idle connections, reports each loss, and answers the next query", async () => {
    const { url } = t();
    const name = `pool-${Date.now()}`;
    const lost: string[] = [];
    const withName = new URL(url);
    withName.searchParams.set("application_name", name);
    const db = await openDb(withName.toString(), { poolSize: 3, onConnectionError: (error) => lost.push(error.message) });
    const admin = await openDb(url, { poolSize: 1 });
    try {
      // Three connections at once, so the pool holds three idle ones afterwards.
      await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(db.kysely)));
      const killed = await sql<{
        n: number;
      }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = ${name}`.execute(admin.kysely);
      expect(killed.rows[0]?.n).toBe(3);
      for (let i = 0; lost.length < 3 && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
      expect(lost).toHaveLength(3);
      expect(lost.every((m) => /terminat/i.test(m))).toBe(true);
      const row = await sql<{ one: number }>`select 1 as one`.execute(db.kysely);
      expect(row.rows[0]?.one).toBe(1);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it("a statement whose connection is terminated under it fails with an error classified as a connection loss", async () => {
    const { url } = t();
    const name = `busy-${Date.now()}`;
    const withName = new URL(url);
    withName.searchParams.set("application_name", name);
    const db = await openDb(withName.toString(), { poolSize: 1, onConnectionError: () => undefined });
    const admin = await openDb(url, { poolSize: 1 });
    try {
      const slow = sql`select pg_sleep(5)`.execute(db.kysely).then(
        () => null,
        (error: unknown) => error,
      );
      for (let i = 0; i < 100; i++) {
        const busy = await sql<{
          n: number;
        }>`select count(*)::int as n from pg_stat_activity where application_name = ${name} and state = 'active'`.execute(admin.kysely);
        if (busy.rows[0]?.n === 1) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${name}`.execute(admin.kysely);
      const error = await slow;
      expect(error).toBeInstanceOf(Error);
      expect(isConnectionError(error)).toBe(true);
      expect(isConnectionError(new Error('duplicate key value violates unique constraint "verdicts_pkey"'))).toBe(false);
      expect((await sql<{ one: number }>`select 1 as one`.execute(db.kysely)).rows[0]?.one).toBe(1);
    } finally {
      await db.close();
      await admin.close();
    }
  });
});
