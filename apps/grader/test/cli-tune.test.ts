/**
 * `stepwise tune`: a real local search on a small MNIST slice (progress on stderr, the table or the
 * `TuningResult` JSON on stdout), and clear errors for bad search files.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { TuningResult } from "@stepwise/exercises/tuning";
import { readSearch } from "../src/cli/tune";

const bin = resolve(import.meta.dirname, "..", "bin", "stepwise.mjs");
const solutions = resolve(import.meta.dirname, "..", "..", "..", "packages", "exercises", "src", "solutions");
const stepwise = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });
const small = ["--train-limit", "1000", "--test-limit", "500", "--epochs", "2", "--batch-size", "64"];
const dir = mkdtempSync(join(tmpdir(), "stepwise-tune-"));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};
const search = file("search.json", { strategy: "grid", trials: 4, space: { learningRate: [0.0001, 0.002], units: [32] } });

describe("stepwise tune", () => {
  it("runs the search locally and prints the TuningResult as --json, with per-trial progress on stderr", () => {
    const model = join(solutions, "mnist-regularize.reference.json");
    const run = stepwise("tune", search, "--exercise", "mnist-regularize", "--model", model, "--json", ...small);
    expect(run.status, run.stderr).toBe(0);
    const result = TuningResult.parse(JSON.parse(run.stdout));
    expect(result.trials.map((t) => [t.values, t.status, t.history.length])).toEqual([
      [{ learningRate: 0.0001, units: 32 }, "ok", 2],
      [{ learningRate: 0.002, units: 32 }, "ok", 2],
    ]);
    expect(result.selected).toBe(2);
    expect(result.final).toMatchObject({ status: "evaluated", metric: "accuracy", trainExamples: 1_000, testExamples: 500 });
    // --json keeps stderr for errors only.
    expect(run.stderr).toBe("");
  });

  it("prints every trial in a table, the selected one marked, and the final line; progress goes to stderr", () => {
    // A bare TF.js model: the exercise's starter training settings and the flags complete it.
    const submission = JSON.parse(readFileSync(join(solutions, "mnist-regularize.reference.json"), "utf8")) as {
      model: { topology: unknown };
    };
    const model = file("model.json", submission.model.topology);
    const run = stepwise("tune", search, "--exercise", "mnist-regularize", "--model", model, ...small);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /trial 1 of 2: learning rate 0\.0001, units 32\n[\s\S]*epoch 2\/2[\s\S]*trial 2 of 2: best validation 0\.\d{4} at epoch \d[\s\S]*final model: retraining/,
    );
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("Tuning mnist-regularize: grid search, 2 trial(s), selected on validation accuracy only");
    expect(lines.find((l) => l.trimStart().startsWith("#"))).toMatch(
      /#\s+learning rate\s+units\s+val acc\s+epoch\s+gap\s+seconds\s+status/,
    );
    expect(lines.find((l) => l.startsWith("*"))).toMatch(/^\*\s+2\s+0\.002\s+32\s+0\.\d{4}\s+\d\s+-?0\.\d{4}\s+\d+\.\d\s+ok$/);
    expect(run.stdout).toMatch(
      /Selected on validation: trial 2, learning rate 0\.002, units 32; retrained on train\+validation \(1,000 examples, \d epochs?\); test accuracy 0\.\d{4} \(95% CI [\d.]+–[\d.]+\) on 500 test examples, evaluated once\./,
    );
  });

  it.each([
    ["a file that is not JSON", file("broken.json", "{ strategy: grid"), /broken\.json: not readable JSON/],
    [
      "an unknown key",
      file("key.json", { strategy: "grid", trials: 2, space: { units: [32] }, epochs: 3 }),
      /key\.json: \(top level\): .*"epochs".*; got the key "epochs"/,
    ],
    [
      "no dimension",
      file("empty.json", { strategy: "random", trials: 2, space: {} }),
      /empty\.json: space: search at least one of learningRate, units, layers, dropout; got \{\}/,
    ],
    [
      "too many trials",
      file("trials.json", { strategy: "random", trials: 500, space: { units: [8] } }),
      /trials\.json: trials: .*<=50.*; got 500/,
    ],
  ])("reads a search file and refuses %s, naming the path, what was expected and what came", (_name, path, message) => {
    expect(() => readSearch(path)).toThrow(message);
  });

  it.each([
    [
      "a value of the wrong type, with its path and what came",
      file("type.json", { strategy: "grid", trials: 2, space: { units: [32, "64"] } }),
      /type\.json: space\.units\.1: .*expected number.*; got "64"/,
    ],
    [
      "a grid larger than its trials",
      file("grid.json", { strategy: "grid", trials: 2, space: { units: [8, 16, 32] } }),
      /The grid has 3 units = 3 combinations, more than the 2 trials of this search/,
    ],
    [
      "dropout on a model without Dropout",
      file("dropout.json", { strategy: "grid", trials: 2, space: { dropout: [0.1, 0.2] } }),
      /Searching dropout sets the rate of every Dropout layer; this model has none/,
    ],
  ])("exits 2 with a clear message for %s", (name, path, message) => {
    const model = name.startsWith("dropout")
      ? join(solutions, "mnist-overfit.reference.json")
      : join(solutions, "mnist-regularize.reference.json");
    const run = stepwise("tune", path, "--exercise", "mnist-regularize", "--model", model, ...small);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
  });

  it.each([
    [
      "an exercise that is not step 7",
      ["tune", search, "--exercise", "mnist-beat-baseline", ...small],
      /Tuning runs on step 7 \(regularize and tune\); "mnist-beat-baseline" is step 5\./,
    ],
    ["a missing search file argument", ["tune", "--exercise", "mnist-regularize"], /tune needs a <search\.json> file/],
  ])("exits 2 for %s", (_name, args, message) => {
    const run = stepwise(...args);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
