/**
 * `stepwise jobs` prints the rows the web app's jobs page shows: both read `jobsOverview`, so the
 * CLI's JSON is compared with the query's own answer (times aside, which move with the clock).
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { appendProgress, claimJob, createSubmissionWithJob, failJob, jobsOverview, migrate, openDb, type Db } from "@stepwise/db";
import { seedCourse } from "@stepwise/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tmpDbUrl } from "./helpers";

const bin = resolve(import.meta.dirname, "..", "bin", "stepwise.mjs");
const answers = (exerciseId: string) => ({ exerciseId, answers: { metric: "accuracy" } });
const timeless = <T extends object>(rows: T[]) => rows.map((r) => ({ ...r, waitingMs: 0, elapsedMs: 0 }));

describe("stepwise jobs", () => {
  let url: string;
  let db: Db;
  let courseId: string;
  const stepwise = (...args: string[]) =>
    spawnSync(process.execPath, [bin, "jobs", ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, DATABASE_URL: url } });

  beforeAll(async () => {
    url = tmpDbUrl();
    db = await openDb(url);
    await migrate(db);
    const f = await seedCourse(db, 1);
    courseId = f.course.id;
    const submit = (now: number) =>
      createSubmissionWithJob(
        db,
        {
          assignmentId: f.assignment.id,
          userId: f.student.id,
          exerciseId: f.assignment.exerciseId,
          payload: answers(f.assignment.exerciseId),
        },
        now,
      );
    const dead = await submit(10);
    await db.kysely.updateTable("jobs").set({ max_attempts: 1 }).where("id", "=", dead.job.id).execute();
    await claimJob(db, { workerId: "w-dead", leaseMs: 60_000, now: 11 });
    await failJob(db, { jobId: dead.job.id, workerId: "w-dead", error: "out of file handles", now: 12 });
    const running = await submit(20);
    await claimJob(db, { workerId: "grader-a", leaseMs: 10 ** 12, now: 21 });
    await appendProgress(db, running.job.id, { type: "run", label: "training seed 2 of 3" }, 22);
    await submit(30);
  });
  afterAll(async () => {
    await db.close();
  });

  it("prints the query's queued, running and failed jobs as JSON", async () => {
    const run = stepwise("--json", "--course", courseId);
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as Awaited<ReturnType<typeof jobsOverview>>;
    const query = await jobsOverview(db, { courseId, now: Date.now() });
    expect(timeless(printed.queued)).toEqual(timeless(query.queued));
    expect(timeless(printed.running)).toEqual(timeless(query.running));
    expect(printed.failures).toEqual(query.failures);
    expect([printed.queued.length, printed.running.length, printed.failures.length]).toEqual([1, 1, 1]);
  });

  it("prints one section as text with --status", () => {
    const run = stepwise("--status", "running");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Running \(1\)\n .*grader-a\s+training seed 2 of 3\s+\d+ s\s+student-/);
    expect(run.stdout).not.toMatch(/Queued|Failed/);
  });

  it("names the sections it accepts", () => {
    const run = stepwise("--status", "done");
    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toMatch(/--status must be one of queued, running, dead; got "done"/);
  });
});
