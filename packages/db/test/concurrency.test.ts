import { describe, expect, it } from "vitest";
import { type Db, type JobRow, claimJob, openDb } from "../src/index";
import { seedCourse, testDialects } from "../src/testing";
import { submit, useTestDb } from "./helpers";

const JOBS = 50;

/** Claims until the queue is empty, `lanes` claim loops at a time on one connection/pool. */
async function drain(db: Db, workerId: string, lanes: number): Promise<string[]> {
  const claimed: string[] = [];
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (;;) {
        const next = await claimJob(db, { workerId: `${workerId}-${lane}`, leaseMs: 60_000, now: 1_000 });
        if (!next) return;
        claimed.push(next.job.id);
      }
    }),
  );
  return claimed;
}

describe.each(testDialects)("concurrent claimers on %s", (dialect) => {
  const t = useTestDb(dialect);

  it(`two connections claim ${JOBS} jobs, each exactly once`, async () => {
    const { db, url } = t();
    const f = await seedCourse(db, 0);
    const jobs: JobRow[] = [];
    for (let i = 0; i < JOBS; i++) jobs.push((await submit(db, f, i)).job);
    const first = await openDb(url, { poolSize: 4 });
    const second = await openDb(url, { poolSize: 4 });
    try {
      const lanes = dialect === "postgres" ? 4 : 1;
      const [a, b] = await Promise.all([drain(first, "a", lanes), drain(second, "b", lanes)]);
      const all = [...a, ...b];
      expect(all).toHaveLength(JOBS);
      expect(new Set(all).size).toBe(JOBS);
      expect(new Set(all)).toEqual(new Set(jobs.map((j) => j.id)));
      // Both claimers did real work: the point is contention, not one side draining alone.
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
      const rows = await db.kysely.selectFrom("jobs").select(["attempts", "status"]).execute();
      expect(rows.every((r) => r.attempts === 1 && r.status === "running")).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
