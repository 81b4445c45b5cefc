import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Verdict } from "@stepwise/core/contracts";
import { ExperimentResult } from "@stepwise/exercises/experiments";

const bin = resolve(import.meta.dirname, "..", "bin", "stepwise.mjs");
const solutions = resolve(import.meta.dirname, "..", "..", "..", "packages", "exercises", "src", "solutions");
const stepwise = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });
const small = ["--train-limit", "1000", "--test-limit", "500"];

/** A 1,200 KiB file: refused for its size before it is read. */
function oversized(): string {
  const file = join(mkdtempSync(join(tmpdir(), "stepwise-big-")), "big.json");
  writeFileSync(file, " ".repeat(1200 * 1024));
  return file;
}

describe("stepwise CLI", () => {
  it("lists every exercise with its id, step, dataset and title as JSON", () => {
    const run = stepwise("list", "--json");
    expect(run.status).toBe(0);
    const rows = JSON.parse(run.stdout) as { id: string; step: number; dataset: string; title: string }[];
    expect(rows).toContainEqual({ id: "mnist-beat-baseline", step: 5, dataset: "mnist", title: "Step 5 — beat the baseline on MNIST" });
  });

  it.each([
    ["the reference solution passes", "mnist-beat-baseline.reference.json", 0, "passed"] as const,
    ["the naive solution fails", "mnist-beat-baseline.naive.json", 1, "failed"] as const,
  ])("grade: %s (verdict as --json)", (_name, file, code, status) => {
    const run = stepwise("grade", join(solutions, file), "--exercise", "mnist-beat-baseline", "--json", ...small);
    expect(run.status, run.stderr).toBe(code);
    expect(Verdict.parse(JSON.parse(run.stdout)).status).toBe(status);
  });

  it("grade: step 7 compares with the step-6 model given by --previous, as the grader does with the student's step-6 submission", () => {
    const previous = join(solutions, "mnist-overfit.reference.json");
    const run = stepwise(
      "grade",
      join(solutions, "mnist-regularize.reference.json"),
      "--exercise",
      "mnist-regularize",
      "--previous",
      previous,
      "--json",
      // What is checked is how the CLI hands --previous to step 7's comparison, not how well the
      // reference regularizes: two epochs of its wide network do (the step-6 model keeps its own).
      "--epochs",
      "2",
      ...small,
    );
    expect([0, 1], run.stderr).toContain(run.status);
    const verdict = Verdict.parse(JSON.parse(run.stdout));
    expect(verdict.checks.find((c) => c.id === "smaller-gap")?.message).toMatch(/step-6 model|before/);
    expect(verdict.metrics.testAccuracy?.label).toMatch(/final model \(trained on train\+validation\)/);
  });

  it("grade accepts a bare TF.js model JSON, taking the training flags", () => {
    const dir = mkdtempSync(join(tmpdir(), "stepwise-cli-"));
    const submission = JSON.parse(
      spawnSync("cat", [join(solutions, "mnist-beat-baseline.reference.json")], { encoding: "utf8" }).stdout,
    ) as { model: { topology: unknown } };
    writeFileSync(join(dir, "model.json"), JSON.stringify(submission.model.topology));
    const run = stepwise("grade", join(dir, "model.json"), "--exercise", "mnist-beat-baseline", "--epochs", "1", "--json", ...small);
    expect(run.status, run.stderr).toBe(0);
    expect(Verdict.parse(JSON.parse(run.stdout)).curves.history).toHaveLength(1);
  });

  it.each([
    ["an unknown exercise", ["grade", join(solutions, "mnist-beat-baseline.naive.json"), "--exercise", "nope"], /Unknown exercise "nope"/],
    ["a missing --exercise", ["grade", join(solutions, "mnist-beat-baseline.naive.json")], /--exercise <id> is required/],
    ["a file that is not JSON", ["grade", bin, "--exercise", "mnist-beat-baseline"], /not readable JSON/],
    ["an unknown flag", ["list", "--bogus"], /bogus/],
    [
      "step 7 without the step-6 model",
      ["grade", join(solutions, "mnist-regularize.reference.json"), "--exercise", "mnist-regularize"],
      /pass it with --previous <file>/,
    ],
    [
      "--previous outside step 7",
      ["grade", join(solutions, "mnist-beat-baseline.naive.json"), "--exercise", "mnist-beat-baseline", "--previous", bin],
      /--previous applies to step 7 only/,
    ],
  ])("exits 2 with a clear message for %s", (_name, args, message) => {
    const run = stepwise(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe("stepwise help and errors", () => {
  it("--help exits 0 with the usage; a bare `stepwise` is a usage mistake (exit 2)", () => {
    const help = stepwise("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage:\n {2}stepwise list/);
    expect(stepwise().status).toBe(2);
  });

  it.each([
    ["a usage error", ["list", "--bogus", "--json"], "usage", /--bogus/],
    ["an unreadable file", ["grade", bin, "--exercise", "mnist-beat-baseline", "--json"], "invalid", /not readable JSON/],
    [
      "an unknown exercise",
      ["grade", join(solutions, "mnist-beat-baseline.naive.json"), "--exercise", "nope", "--json"],
      "usage",
      /Unknown exercise "nope"/,
    ],
    [
      "a file too large to be a submission",
      ["grade", oversized(), "--exercise", "mnist-beat-baseline", "--json"],
      "invalid",
      /is 1,200 KiB; a submission file may be at most 1,024 KiB/,
    ],
  ])("--json answers %s with a JSON error on stdout and the exit code", (_name, args, kind, message) => {
    const run = stepwise(...args);
    expect(run.status).toBe(2);
    const parsed = JSON.parse(run.stdout) as { error: { kind: string; message: string; exitCode: number } };
    expect(parsed.error).toMatchObject({ kind, exitCode: 2 });
    expect(parsed.error.message).toMatch(message);
    expect(run.stderr).toMatch(message);
  });
});

describe("stepwise debug", () => {
  it("runs an experiment of the debugging checklist: exit 0 when healthy, with the finding as JSON", () => {
    const run = stepwise(
      "debug",
      join(solutions, "mnist-beat-baseline.reference.json"),
      "--exercise",
      "mnist-beat-baseline",
      "--check",
      "tiny-subset",
      "--json",
      "--train-limit",
      "500",
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ experiment: "tiny-subset", outcome: "fits", healthy: true });
  });

  it("exits 1 when the experiment finds a fault, and 2 for an unknown check", () => {
    const frozen = stepwise(
      "debug",
      join(solutions, "mnist-beat-baseline.reference.json"),
      "--exercise",
      "mnist-beat-baseline",
      "--check",
      "label-as-input",
      "--lr",
      "1e-7",
      "--optimizer",
      "sgd",
      "--train-limit",
      "500",
    );
    expect(frozen.stdout).toMatch(/✗ label-as-input: pipeline-broken/);
    expect(frozen.status).toBe(1);
    const unknown = stepwise(
      "debug",
      join(solutions, "mnist-beat-baseline.reference.json"),
      "--exercise",
      "mnist-beat-baseline",
      "--check",
      "astrology",
    );
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--check must be one of tiny-subset, shuffled-labels, label-as-input, one-feature, .*; got "astrology"/);
  });

  const reference = join(solutions, "mnist-beat-baseline.reference.json");
  const debug = (check: string, ...args: string[]) =>
    stepwise("debug", reference, "--exercise", "mnist-beat-baseline", "--check", check, "--train-limit", "1000", ...args);

  it.each([
    ["one-feature", "signal-reachable", "one-feature"],
    ["data-shuffled", "mixed-batches", "batches"],
    ["output-histogram", "varied", "outputs"],
  ])("--check %s --json on the reference model: exit 0, %s, with its evidence", (check, outcome, kind) => {
    const run = debug(check, "--json");
    expect(run.status, run.stderr).toBe(0);
    const result = ExperimentResult.parse(JSON.parse(run.stdout));
    expect(result).toMatchObject({ experiment: check, outcome, healthy: true });
    expect(result.evidence.kind).toBe(kind);
  });

  it("--check lr-range-test --json: exit 1 for a learning rate far below the suggestion", () => {
    const run = debug("lr-range-test", "--json", "--optimizer", "sgd", "--lr", "1e-7");
    expect(run.status, run.stderr).toBe(1);
    const result = ExperimentResult.parse(JSON.parse(run.stdout));
    expect(result.outcome).toBe("lr-too-low");
    if (result.evidence.kind !== "lr-range") throw new Error(`expected lr-range evidence, got ${result.evidence.kind}`);
    expect(result.evidence.student).toBe(1e-7);
    expect(result.evidence.suggested).toBeGreaterThan(1e-4);
  });

  it("--check loss-per-batch without --json: exit 1 and a readable report when the loss diverges", () => {
    const run = debug("loss-per-batch", "--lr", "1");
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/✗ loss-per-batch: diverging/);
    expect(run.stdout).toMatch(/hint: Lower the learning rate about tenfold, to 0\.1/);
    expect(run.stdout).toMatch(/loss per batch +[▁▂▃▄▅▆▇█]+/);
    expect(run.stderr).toMatch(/batch 1 +loss/);
  });

  it("--check label-scale on a classification exercise: exit 2, saying why it does not apply", () => {
    const run = debug("label-scale", "--json");
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/label-scale does not apply: .*this exercise is multiclass/);
  });
});
