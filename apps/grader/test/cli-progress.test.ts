/**
 * `stepwise progress` and the gate of `stepwise submit`, on the seeded demo course (guided): the
 * same engine the web app's course page reads. The demo course is seeded by the web app's own seed
 * script, run as a process (the grader never imports the web app).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { migrate, openDb, type Db } from "@stepwise/db";
import { answerSolutions } from "@stepwise/exercises/solutions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CourseProgress } from "../src/cli/progress";
import { startGrader, type GraderHandle } from "../src/worker";
import { testConfig, tmpDbUrl, waitForVerdict } from "./helpers";

const repo = resolve(import.meta.dirname, "..", "..", "..");
const bin = resolve(import.meta.dirname, "..", "bin", "stepwise.mjs");
const STUDENT = "student@stepwise.test";

describe("stepwise progress on the seeded demo course", () => {
  let url: string;
  let db: Db;
  let grader: GraderHandle | undefined;
  const stepwise = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, DATABASE_URL: url } });
  const progress = (): CourseProgress[] => {
    const run = stepwise("progress", "--student", STUDENT, "--json");
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as CourseProgress[];
  };
  const answersFile = (exerciseId: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "stepwise-progress-")), `${exerciseId}.json`);
    writeFileSync(file, JSON.stringify(answerSolutions[exerciseId]?.correct));
    return file;
  };

  beforeAll(async () => {
    url = tmpDbUrl();
    const seeded = spawnSync("pnpm", ["exec", "tsx", "scripts/seed.ts"], {
      cwd: join(repo, "apps", "web"),
      env: { ...process.env, DATABASE_URL: url, STEPWISE_DEMO: "1" },
      encoding: "utf8",
    });
    if (seeded.status !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);
    db = await openDb(url);
    await migrate(db);
  });
  afterAll(async () => {
    await grader?.stop();
    await db.close();
  });

  it("shows a fresh student step 1 open and steps 2–7 locked in every project", () => {
    const [course, ...others] = progress();
    expect(others).toEqual([]);
    expect(course?.course.mode).toBe("guided");
    expect(course?.projects.map((p) => p.label)).toEqual(["MNIST", "IMDB", "credit-default.csv", "house-prices.csv"]);
    for (const project of course?.projects ?? []) {
      expect(project.steps.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(project.steps.map((s) => s.state)).toEqual(["open", "locked", "locked", "locked", "locked", "locked", "locked"]);
      expect(project.steps[4]?.reason).toBe(`Pass step 4 (Prepare your data) on ${project.label} first.`);
    }
    const text = stepwise("progress", "--student", STUDENT);
    expect(text.stdout).toMatch(/MNIST: 0 of 7 passed — next: step 1/);
    expect(text.stdout).toMatch(
      /5\. Develop a model that does better than a baseline +locked +Pass step 4 \(Prepare your data\) on MNIST first\./,
    );
  });

  it("refuses to submit a locked step, storing nothing", async () => {
    const run = stepwise("submit", answersFile("mnist-choose-metric"), "--exercise", "mnist-choose-metric", "--student", STUDENT);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("stepwise: refused: Pass step 1 (Define the problem and assemble a dataset) on MNIST first.\n");
    expect(await db.kysely.selectFrom("submissions").select("id").execute()).toEqual([]);
  });

  it("after passing step 1 on MNIST, opens step 2 of MNIST only", async () => {
    const run = stepwise("submit", answersFile("mnist-define-problem"), "--exercise", "mnist-define-problem", "--student", STUDENT);
    expect(run.status, run.stderr).toBe(0);
    const submissionId = run.stdout.trim();
    expect(progress()[0]?.projects[0]?.steps[0]?.state).toBe("submitted");
    grader = startGrader(testConfig(url), { db, log: () => undefined });
    expect((await waitForVerdict(db, submissionId)).status).toBe("passed");

    const [course] = progress();
    const [mnist, ...rest] = course?.projects ?? [];
    expect(mnist?.steps.map((s) => s.state)).toEqual(["passed", "open", "locked", "locked", "locked", "locked", "locked"]);
    expect(mnist?.steps[0]).toMatchObject({ attempts: 1, bestScore: 1, reason: null });
    expect(mnist?.summary).toMatchObject({ passed: 1, total: 7, next: { number: 2 } });
    expect(mnist?.handoff).toEqual({ taskType: "multiclass" });
    for (const project of rest)
      expect(project.steps.map((s) => s.state)).toEqual(["open", "locked", "locked", "locked", "locked", "locked", "locked"]);
  });

  it("exits 2 naming what is wrong for an unknown student or course", () => {
    expect(stepwise("progress").stderr).toMatch(/progress needs --student <email>/);
    const nobody = stepwise("progress", "--student", "nobody@example.test");
    expect([nobody.status, nobody.stderr]).toEqual([2, expect.stringMatching(/No user with email nobody@example.test/)]);
    const course = stepwise("progress", "--student", STUDENT, "--course", "no-such-course");
    expect([course.status, course.stderr]).toEqual([2, expect.stringMatching(/is not enrolled in course no-such-course/)]);
  });
});
