import { listExercises } from "@stepwise/exercises";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { demoCourseDir } from "@stepwise/exercises/course";

const bin = resolve(import.meta.dirname, "..", "bin", "stepwise.mjs");
const stepwise = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });
const tmp = () => mkdtempSync(join(tmpdir(), "stepwise-cli-course-"));

describe("stepwise validate", () => {
  it("exits 0 on the demo course and says what it holds", () => {
    const run = stepwise("validate", demoCourseDir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`valid — "Deep learning workflow (demo)", ${listExercises().length} assignments`);
  });

  it("exits 2 and prints every error as file:line path — expected …, got …", () => {
    const dir = tmp();
    mkdirSync(join(dir, "assignments"));
    writeFileSync(
      join(dir, "course.yaml"),
      "title: Broken\ninstructors: [a@b.edu]\nsettings:\n  defaultAttempts: 3\n  latePenalty: {perDay: 2, maxDaysLate: 1}\n",
    );
    writeFileSync(
      join(dir, "assignments", "01-baseline.yaml"),
      "exercise: mnist-beat-baseline\nbudgets:\n  maxParms: 1000\n  maxEpochs: 0\n",
    );
    const run = stepwise("validate", dir);
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toEqual([
      "course.yaml:5 settings.latePenalty.perDay — expected a number ≤ 1, got 2",
      "assignments/01-baseline.yaml:3 budgets.maxParms — expected one of the keys `maxParams`, `maxEpochs`, `maxBatchSize`, `maxSeconds`, got an unknown key `maxParms` (did you mean `maxParams`?)",
      "assignments/01-baseline.yaml:4 budgets.maxEpochs — expected a number ≥ 1, got 0",
      `${dir}: 3 errors.`,
    ]);
  });

  it.each([
    ["no directory", ["validate"], /validate needs a <course-dir>/],
    ["a path that is not a directory", ["validate", bin], /expected a course folder .* not a directory/],
  ])("exits 2 for %s", (_name, args, message) => {
    const run = stepwise(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe("stepwise new", () => {
  it("scaffolds a course folder that validates", () => {
    const dir = join(tmp(), "ml101");
    const created = stepwise("new", "course", dir);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/wrote .*course\.yaml/);
    const run = stepwise("validate", dir);
    expect(run.status, run.stderr).toBe(0);
  });

  it("scaffolds an assignment file with comments, which validates inside a course", () => {
    const dir = join(tmp(), "course");
    expect(stepwise("new", "course", dir).status).toBe(0);
    const file = join(dir, "assignments", "09-overfit-imdb.yaml");
    const run = stepwise("new", "exercise", file, "--exercise", "imdb-beat-baseline");
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^# A Stepwise assignment[\s\S]*exercise: imdb-beat-baseline[\s\S]*maxParams: 400000/);
    expect(stepwise("validate", dir).status).toBe(0);
    // Never overwrites.
    const again = stepwise("new", "exercise", file);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });

  it.each([
    ["an unknown kind", ["new", "widget", "x"], /expected `new exercise <file.yaml>` or `new course <dir>`/],
    ["an unknown exercise", ["new", "exercise", join(tmpdir(), "01-x.yaml"), "--exercise", "nope"], /unknown exercise "nope"/],
    ["a non-empty course directory", ["new", "course", resolve(import.meta.dirname)], /expected an empty or new directory/],
  ])("exits 2 for %s", (_name, args, message) => {
    const run = stepwise(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
