import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CSV_SPLIT_SEED, splitIndices } from "@stepwise/core/datasets";
import { createCourse, enroll } from "@stepwise/db";
import { createTestUser } from "@stepwise/db/testing";
import { builtInDataDir } from "@stepwise/exercises/answers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { world, type World } from "./helpers";

let w: World;
const credit = readFileSync(join(builtInDataDir, "credit-default.csv"), "utf8");
const houses = readFileSync(join(builtInDataDir, "house-prices.csv"), "utf8");
const tiny = "x,z,y\n1,a,0\n2,b,1\n3,a,0\n4,b,1\n5,a,0\n";

beforeAll(async () => {
  w = await world();
});
afterAll(async () => {
  await w.cleanup();
});

/** An instructor who teaches another course only. */
async function otherInstructor() {
  const teacher = await createTestUser(
    w.db,
    { email: `elsewhere-${w.clock.now()}@example.test`, name: "Elsewhere", role: "instructor", password: "elsewhere-password" },
    w.clock.now(),
  );
  const course = await createCourse(w.db, { title: "Another course" }, w.clock.now());
  await enroll(w.db, { courseId: course.id, userId: teacher.id, role: "instructor" }, w.clock.now());
  w.clock.advance(1);
  return teacher;
}

describe("courseDataset: the course's instructors only", () => {
  const calls = {
    upload: (c: Awaited<ReturnType<World["as"]>>) => c.courseDataset.upload({ courseId: w.courseId, file: "denied.csv", csv: tiny }),
    list: (c: Awaited<ReturnType<World["as"]>>) => c.courseDataset.list({ courseId: w.courseId }),
    remove: (c: Awaited<ReturnType<World["as"]>>) => c.courseDataset.remove({ courseId: w.courseId, file: "tiny.csv" }),
    preview: (c: Awaited<ReturnType<World["as"]>>) =>
      c.courseDataset.preview({ courseId: w.courseId, file: "tiny.csv", target: "y", task: "binary" }),
  };

  it.each(Object.keys(calls) as (keyof typeof calls)[])(
    "%s: anonymous → UNAUTHORIZED, a student of the course → FORBIDDEN, another course's instructor → FORBIDDEN",
    async (name) => {
      const call = calls[name];
      await expect(call(await w.as(null))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      await expect(call(await w.as(w.student))).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(call(await w.as(await otherInstructor()))).rejects.toMatchObject({ code: "FORBIDDEN" });
    },
  );

  it("denied callers changed nothing", async () => {
    expect((await (await w.as(w.instructor)).courseDataset.list({ courseId: w.courseId })).map((d) => d.file)).not.toContain("denied.csv");
  });
});

describe("courseDataset for the course's instructor", () => {
  it("upload stores a CSV and returns its columns with their inferred kinds", async () => {
    const caller = await w.as(w.instructor);
    const result = await caller.courseDataset.upload({ courseId: w.courseId, file: "data/credit.csv", csv: credit });
    expect(result.dataset).toMatchObject({
      file: "data/credit.csv",
      rows: 2_000,
      columns: expect.arrayContaining(["age", "default"]) as unknown,
      createdBy: w.instructor.id,
    });
    expect(result.dataset).not.toHaveProperty("csv");
    expect(result.columns.find((c) => c.name === "employment")).toMatchObject({ kind: "categorical", distinct: 4 });
    expect(result.warnings).toEqual([]);
    const small = await caller.courseDataset.upload({ courseId: w.courseId, file: "tiny.csv", csv: tiny });
    // 5 rows hold back 1 test row: the instructor is told before any student is graded on it.
    expect(small.warnings).toEqual([
      expect.stringMatching(
        /hidden test split of this dataset holds only 1 row .* too few to grade reliably.*at least 1,000 rows/,
      ) as unknown,
    ]);
  });

  it.each([
    ["a row with a missing field", "a,b\n1,2\n3\n", "BAD_REQUEST", /line 3: expected 2 fields as in the header, got 1/i],
    ["a word in a numeric column", "age,y\n1,0\n2,1\nold,0\n4,1\n", "BAD_REQUEST", /line 4, column `age`: expected a number, got "old"/i],
    ["a bad file name", "a,b\n1,2\n", "BAD_REQUEST", /file name must be like `loans\.csv`/],
    ["a name already taken", tiny, "PRECONDITION_FAILED", /already has a dataset named tiny\.csv/],
  ])("upload refuses %s with a clear error", async (name, csv, code, message) => {
    const file = name === "a bad file name" ? "../up.csv" : name === "a name already taken" ? "tiny.csv" : "bad.csv";
    await expect((await w.as(w.instructor)).courseDataset.upload({ courseId: w.courseId, file, csv })).rejects.toMatchObject({
      code,
      message: expect.stringMatching(message) as unknown,
    });
  });

  it("upload input is strict and capped", async () => {
    const caller = await w.as(w.instructor);
    await expect(
      caller.courseDataset.upload({ courseId: w.courseId, file: "x.csv", csv: tiny, createdBy: w.student.id } as never),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      caller.courseDataset.upload({ courseId: w.courseId, file: "x.csv", csv: "a,b\n".repeat(1_400_000) }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/at most 5 MB/) as unknown });
  });

  it("list shows the course's datasets without their contents, and which assignments use each", async () => {
    await w.addAssignment({ overrides: { dataset: { kind: "csv", file: "data/credit.csv", target: "default", task: "binary" } } });
    const list = await (await w.as(w.instructor)).courseDataset.list({ courseId: w.courseId });
    expect(list.map((d) => d.file)).toEqual(["data/credit.csv", "tiny.csv"]);
    expect(list[0]?.usedBy).toEqual(["Beat the baseline"]);
    expect(list[1]?.usedBy).toEqual([]);
    expect(list[0]).not.toHaveProperty("csv");
  });

  it("preview: class balance of the training rows only, sample rows from training rows, the test split counted but hidden", async () => {
    const preview = await (
      await w.as(w.instructor)
    ).courseDataset.preview({ courseId: w.courseId, file: "data/credit.csv", target: "default", task: "binary" });
    expect(preview).toMatchObject({ rows: 2_000, trainRows: 1_600, testRows: 400, testFraction: 0.2, inputSize: 17 });
    expect(preview.columns.find((c) => c.name === "default")?.kind).toBe("target");
    expect(preview.classes?.map((c) => c.name)).toEqual(["0", "1"]);
    expect(preview.classes?.reduce((n, c) => n + c.count, 0)).toBe(1_600);
    expect(preview.classes?.[1]?.share).toBeCloseTo(0.078, 2);
    // The sample is the first training rows of the dataset's fixed split, never a hidden test row.
    const lines = credit.trim().split("\n").slice(1);
    const split = splitIndices(lines.length, { validationFraction: 0, testFraction: 0.2, seed: CSV_SPLIT_SEED });
    const values = (cells: string[]) => cells.map((v) => (Number.isNaN(Number(v)) ? v : Number(v)));
    const rowsOf = (indices: Int32Array) => [...indices].map((i) => values((lines[i] ?? "").split(",")));
    expect(preview.sample.map(values)).toEqual(rowsOf(split.train.subarray(0, 5)));
    const testRows = new Set(rowsOf(split.test).map((r) => JSON.stringify(r)));
    for (const row of preview.sample) expect(testRows.has(JSON.stringify(values(row)))).toBe(false);
  });

  it("preview of a regression target summarizes it over the training rows", async () => {
    const caller = await w.as(w.instructor);
    await caller.courseDataset.upload({ courseId: w.courseId, file: "houses.csv", csv: houses });
    const preview = await caller.courseDataset.preview({ courseId: w.courseId, file: "houses.csv", target: "price", task: "regression" });
    expect(preview.classes).toBeUndefined();
    expect(preview.targetSummary?.mean).toBeGreaterThan(100_000);
    expect(preview.encoding).toMatch(/6 numeric columns \(standardized\) and 13 one-hot columns/);
  });

  it.each([
    [{ target: "nope", task: "binary" as const }, "BAD_REQUEST", /target column `nope` not found/i],
    [
      { target: "employment", task: "binary" as const },
      "BAD_REQUEST",
      /a binary target needs exactly 2 classes, column `employment` has 4/i,
    ],
    [{ target: "employment", task: "regression" as const }, "BAD_REQUEST", /column `employment`: expected a number/],
  ])("preview explains a target that does not fit: %o", async (choice, code, message) => {
    await expect(
      (await w.as(w.instructor)).courseDataset.preview({ courseId: w.courseId, file: "data/credit.csv", ...choice }),
    ).rejects.toMatchObject({ code, message: expect.stringMatching(message) as unknown });
  });

  it("preview of a file the course does not have is NOT_FOUND", async () => {
    await expect(
      (await w.as(w.instructor)).courseDataset.preview({
        courseId: w.courseId,
        file: "credit-default.csv",
        target: "default",
        task: "binary",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("remove deletes an unused dataset and refuses one an assignment uses, naming it", async () => {
    const caller = await w.as(w.instructor);
    await expect(caller.courseDataset.remove({ courseId: w.courseId, file: "data/credit.csv" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/used by the assignment "Beat the baseline"/) as unknown,
    });
    expect(await caller.courseDataset.remove({ courseId: w.courseId, file: "tiny.csv" })).toEqual({ removed: "tiny.csv" });
    expect((await caller.courseDataset.list({ courseId: w.courseId })).map((d) => d.file)).toEqual(["data/credit.csv", "houses.csv"]);
    await expect(caller.courseDataset.remove({ courseId: w.courseId, file: "tiny.csv" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
