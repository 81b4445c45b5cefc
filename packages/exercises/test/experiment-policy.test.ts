import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_EXPERIMENT_COMPUTE_SECONDS,
  experimentPolicy,
  formatCourseError,
  loadCourseFolder,
  validateCourseFolder,
} from "../src/course";
import { EXPERIMENTS } from "../src/experiments";

/** A course folder with one step-5 assignment whose file ends with `extra`. */
function folder(extra: string): string {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-experiments-"));
  mkdirSync(join(dir, "assignments"));
  writeFileSync(join(dir, "course.yaml"), "title: Test course\ninstructors: [teacher@example.edu]\nsettings:\n  defaultAttempts: 3\n");
  writeFileSync(join(dir, "assignments", "01-baseline.yaml"), `exercise: mnist-beat-baseline\n${extra}`);
  return dir;
}

describe("an assignment's experiments key", () => {
  it("defaults to every experiment and 600 s per student when absent", () => {
    expect(experimentPolicy({})).toEqual({ allowed: [...EXPERIMENTS], computeSeconds: DEFAULT_EXPERIMENT_COMPUTE_SECONDS });
    expect(DEFAULT_EXPERIMENT_COMPUTE_SECONDS).toBe(600);
  });

  it("reads what the instructor wrote, in checklist order without repeats", () => {
    expect(experimentPolicy({ experiments: { allowed: ["lr-range-test", "tiny-subset", "tiny-subset"], computeSeconds: 120 } })).toEqual({
      allowed: ["tiny-subset", "lr-range-test"],
      computeSeconds: 120,
    });
    expect(experimentPolicy({ experiments: { computeSeconds: 0 } })).toEqual({ allowed: [...EXPERIMENTS], computeSeconds: 0 });
  });

  it("falls back to the defaults for a stored value that does not parse, as other overrides do", () => {
    expect(experimentPolicy({ experiments: { allowed: ["no-such-check"] } })).toEqual({ allowed: [...EXPERIMENTS], computeSeconds: 600 });
    expect(experimentPolicy({ experiments: "all" })).toEqual({ allowed: [...EXPERIMENTS], computeSeconds: 600 });
  });

  it("is part of the course-folder format: a valid key loads, a misspelt experiment is an error at its line", () => {
    const course = loadCourseFolder(folder("experiments:\n  allowed: [tiny-subset, loss-per-batch]\n  computeSeconds: 300\n"));
    expect(course.assignments[0]?.assignment.experiments).toEqual({ allowed: ["tiny-subset", "loss-per-batch"], computeSeconds: 300 });
    const result = validateCourseFolder(folder("experiments:\n  allowed: [tiny-subset, loss-per-batches]\n  computeSeconds: -5\n"));
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.map(formatCourseError);
    expect(errors).toEqual([
      expect.stringMatching(
        /^assignments\/01-baseline\.yaml:3 experiments\.allowed\[1\] — expected one of "tiny-subset", .*, got "loss-per-batches"$/,
      ),
      expect.stringMatching(/^assignments\/01-baseline\.yaml:4 experiments\.computeSeconds — expected .*0.*, got -5$/),
    ]);
  });
});
