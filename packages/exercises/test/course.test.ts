import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@stepwise/core/contracts";
import { listExercises } from "../src";
import {
  assignmentExercise,
  courseJsonSchemas,
  type CourseError,
  demoCourseDir,
  formatCourseError,
  loadCourseFolder,
  scaffoldAssignment,
  scaffoldCourse,
  schemaText,
  validateCourseFolder,
  writeCourseFolder,
} from "../src/course";

const tmp = () => mkdtempSync(join(tmpdir(), "stepwise-course-"));
const readTree = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const full = join(entry.parentPath, entry.name);
        return [full.slice(dir.length + 1), readFileSync(full, "utf8")];
      }),
  );

/** A valid minimal folder, then `edit` breaks it. */
function folder(files: Record<string, string>): string {
  const dir = tmp();
  const all = {
    "course.yaml": "title: Test course\ninstructors: [teacher@example.edu]\nsettings:\n  defaultAttempts: 3\n",
    "assignments/01-baseline.yaml": "exercise: mnist-beat-baseline\n",
    ...files,
  };
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const errorsOf = (dir: string): CourseError[] => {
  const result = validateCourseFolder(dir);
  return result.ok ? [] : result.errors;
};

describe("the demo course folder", () => {
  it("is valid and places every built-in exercise, in workflow order", () => {
    const course = loadCourseFolder(demoCourseDir);
    expect(course.assignments.map((a) => a.assignment.exercise)).toEqual(listExercises().map((e) => e.id));
    expect(new Set(course.assignments.map((a) => assignmentExercise(a.assignment).step))).toEqual(
      new Set(listExercises().map((e) => e.step)),
    );
  });

  it("round trips: load → write → load is equal, and writing twice gives byte-identical files", () => {
    const course = loadCourseFolder(demoCourseDir);
    const first = tmp();
    writeCourseFolder(course, first);
    expect(loadCourseFolder(first)).toEqual(course);
    const second = tmp();
    writeCourseFolder(loadCourseFolder(first), second);
    expect(readTree(second)).toEqual(readTree(first));
    // The committed demo is itself in normalized form.
    expect(readTree(first)).toEqual(readTree(demoCourseDir));
  });
});

describe("course folder validation", () => {
  it("collects every error of every file, with file, line, path, expected and got", () => {
    const dir = folder({
      "course.yaml": "title: Test course\ninstructors: [not-an-email]\nsettings:\n  defaultAttemps: 3\n",
      "assignments/01-baseline.yaml": "exercise: mnist-beat-baseline\nbudgets:\n  maxParams: -5\n  maxEpocs: 3\ndeadline: next friday\n",
      "assignments/02-metric.yaml": "exercise: mnist-choose-metrics\n",
    });
    const errors = errorsOf(dir);
    const text = errors.map(formatCourseError);
    expect(text).toEqual(
      expect.arrayContaining([
        'course.yaml:2 instructors[0] — expected an e-mail address, got "not-an-email"',
        "course.yaml:4 settings.defaultAttempts — expected a number, got nothing (the key is missing)",
        expect.stringMatching(
          /^course\.yaml:4 settings\.defaultAttemps — expected one of the keys `defaultAttempts`, `latePenalty`, `mode`, got an unknown key `defaultAttemps` \(did you mean `defaultAttempts`\?\)$/,
        ),
        "assignments/01-baseline.yaml:3 budgets.maxParams — expected a number ≥ 1, got -5",
        expect.stringMatching(/^assignments\/01-baseline\.yaml:4 budgets\.maxEpocs — .*did you mean `maxEpochs`/),
        expect.stringMatching(/^assignments\/01-baseline\.yaml:5 deadline — expected an ISO 8601 date-time .*, got "next friday"$/),
        expect.stringMatching(
          /^assignments\/02-metric\.yaml:1 exercise — expected a built-in exercise id \(.*mnist-choose-metric.*\), got "mnist-choose-metrics"$/,
        ),
      ]),
    );
    expect(errors).toHaveLength(7);
  });

  it.each([
    [
      "a bad file name",
      { "assignments/1-x.yaml": "exercise: mnist-beat-baseline\n" },
      /assignments\/1-x\.yaml — expected a file name NN-name\.yaml/,
    ],
    [
      "two files with the same position",
      { "assignments/01-again.yaml": "exercise: imdb-beat-baseline\n" },
      /expected a position number not used by/,
    ],
    [
      "broken YAML",
      { "assignments/01-baseline.yaml": "exercise: [unclosed\n" },
      /assignments\/01-baseline\.yaml:\d+ — expected valid YAML/,
    ],
    ["an empty course.yaml", { "course.yaml": "" }, /course\.yaml title — expected a text, got nothing \(the key is missing\)/],
    [
      "a CSV that does not exist",
      { "assignments/02-csv.yaml": "exercise: credit-choose-metric\ndataset: {kind: csv, file: data/x.csv, target: y, task: binary}\n" },
      /dataset\.file — expected a CSV file in the course folder, got "data\/x\.csv", which does not exist/,
    ],
    [
      "a CSV path outside the folder",
      { "assignments/02-csv.yaml": "exercise: credit-choose-metric\ndataset: {kind: csv, file: ../x.csv, target: y, task: binary}\n" },
      /dataset\.file — expected a path inside the course folder/,
    ],
    [
      "a CSV without the target column",
      {
        "data/x.csv": "a,b\n1,2\n",
        "assignments/02-csv.yaml": "exercise: credit-choose-metric\ndataset: {kind: csv, file: data/x.csv, target: y, task: binary}\n",
      },
      /dataset\.target — expected a readable CSV with the binary target column `y`, got target column `y` not found/,
    ],
    [
      "a dataset the exercise's questions don't fit",
      { "assignments/02-x.yaml": "exercise: mnist-define-problem\ndataset: {kind: imdb}\n" },
      /dataset\.kind — expected "mnist"/,
    ],
    [
      "an unknown dataset kind",
      { "assignments/02-x.yaml": "exercise: mnist-define-problem\ndataset: {kind: cifar}\n" },
      /dataset\.kind — expected one of "mnist", "imdb", "csv", got "cifar"/,
    ],
    [
      "a bad visibility",
      { "assignments/02-x.yaml": "exercise: mnist-beat-baseline\nvisibility: {beats-baseline: sometimes}\n" },
      /visibility\.beats-baseline — expected one of "always", "after_deadline", "never"/,
    ],
  ])("reports %s", (_name, files, message) => {
    expect(errorsOf(folder(files)).map(formatCourseError).join("\n")).toMatch(message);
  });

  it("an empty directory: no course.yaml and no assignments, both reported", () => {
    expect(errorsOf(tmp()).map(formatCourseError)).toEqual([
      "course.yaml — expected a file course.yaml, got no such file",
      "assignments/ — expected at least one assignment file NN-name.yaml, got none",
    ]);
  });

  it("accepts a CSV dataset override in the folder and carries the file with the course", () => {
    const csv = "x,z,y\n1,a,0\n2,b,1\n3,a,0\n4,b,0\n";
    const dir = folder({
      "data/tiny.csv": csv,
      "assignments/02-csv.yaml": "exercise: credit-choose-metric\ndataset: {kind: csv, file: data/tiny.csv, target: y, task: binary}\n",
    });
    const course = loadCourseFolder(dir);
    expect(course.dataFiles).toEqual({ "data/tiny.csv": csv });
    const copy = tmp();
    writeCourseFolder(course, copy);
    expect(loadCourseFolder(copy)).toEqual(course);
  });

  it("loadCourseFolder throws one ValidationError listing every error", () => {
    const dir = folder({ "assignments/01-baseline.yaml": "exercise: nope\nbogus: 1\n" });
    expect(() => loadCourseFolder(dir)).toThrow(ValidationError);
    expect(() => loadCourseFolder(dir)).toThrow(/2 errors:\n.*exercise[\s\S]*bogus/);
  });
});

describe("assignment overrides", () => {
  it("apply to the exercise: only the budgets written are replaced", () => {
    const exercise = assignmentExercise({
      exercise: "mnist-beat-baseline",
      title: "Mine",
      budgets: { maxEpochs: 3 },
      visibility: { "beats-baseline": "after_deadline" },
    });
    expect(exercise).toMatchObject({
      title: "Mine",
      budgets: { maxParams: 200_000, maxEpochs: 3, maxBatchSize: 1024, maxSeconds: 120 },
      checkVisibility: { "beats-baseline": "after_deadline" },
    });
  });
});

describe("scaffolds", () => {
  it("a new course folder validates as written", () => {
    const dir = join(tmp(), "course");
    const files = scaffoldCourse(dir, { title: "ML 101" });
    expect(files[0]).toBe("course.yaml");
    const result = validateCourseFolder(dir);
    expect(result.ok ? [] : result.errors.map(formatCourseError)).toEqual([]);
    expect(readFileSync(join(dir, "course.yaml"), "utf8")).toMatch(/# Instructors' e-mail addresses/);
  });

  it.each(listExercises().map((e) => [e.id]))("an assignment for %s validates as written", (id) => {
    const dir = folder({ "assignments/01-baseline.yaml": scaffoldAssignment(id) });
    expect(errorsOf(dir).map(formatCourseError)).toEqual([]);
  });
});

describe("JSON Schemas", () => {
  it.each(["course.schema.json", "assignment.schema.json"] as const)(
    "committed %s is up to date (pnpm --filter @stepwise/exercises run schema)",
    (name) => {
      const committed = readFileSync(join(import.meta.dirname, "..", "schema", name), "utf8");
      expect(committed).toBe(schemaText(courseJsonSchemas()[name]));
    },
  );

  it("forbid unknown keys", () => {
    const schema = courseJsonSchemas()["assignment.schema.json"] as { additionalProperties?: unknown; required?: unknown };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["exercise"]);
  });
});

describe("copying a folder elsewhere keeps it valid (paths are relative)", () => {
  it("the demo course copied to a temporary directory", () => {
    const dir = tmp();
    cpSync(demoCourseDir, dir, { recursive: true });
    expect(validateCourseFolder(dir).ok).toBe(true);
  });
});
