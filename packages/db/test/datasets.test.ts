import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { NotFoundError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import { CSV_SPLIT_SEED } from "@stepwise/core/datasets";
import {
  assignmentsUsingDataset,
  createAssignment,
  createCourse,
  createDataset,
  datasetByFile,
  datasetsForCourse,
  DATASET_LIMITS,
  deleteDataset,
  migrate,
  migrateTo,
  migrations,
} from "../src/index";
import { createTestUser, openTestDb, testDialects } from "../src/testing";
import { useTestDb } from "./helpers";

const loans = "age,income,region,default\n31,42000,north,0\n45,38000,south,1\n27,51000,north,0\n";

describe.each(testDialects)("course datasets on %s", (dialect) => {
  // Datasets live in a course's namespace: fresh courses per test isolate the tests in one database.
  const t = useTestDb(dialect, "all");
  let teachers = 0;

  const setup = async () => {
    const { db } = t();
    const course = await createCourse(db, { title: "Datasets" }, 1);
    const other = await createCourse(db, { title: "Other" }, 1);
    teachers += 1;
    const teacher = await createTestUser(db, { email: `teach-${teachers}@example.test`, name: "T", role: "instructor", password: "pw" }, 1);
    return { db, course, other, teacher };
  };

  it("stores a valid CSV with its facts and gives it back whole, by course and file", async () => {
    const { db, course, other, teacher } = await setup();
    const created = await createDataset(db, { courseId: course.id, file: "data/loans.csv", csv: loans, createdBy: teacher.id }, 10);
    expect(created).toMatchObject({
      courseId: course.id,
      file: "data/loans.csv",
      rows: 3,
      bytes: loans.length,
      columns: ["age", "income", "region", "default"],
      createdBy: teacher.id,
      createdAt: 10,
    });
    expect(created.summary.map((c) => [c.name, c.kind])).toEqual([
      ["age", "numeric"],
      ["income", "numeric"],
      ["region", "categorical"],
      ["default", "numeric"],
    ]);
    const { summary: _summary, ...stored } = created;
    expect(await datasetByFile(db, course.id, "data/loans.csv")).toEqual({ ...stored, csv: loans });
    // Another course's namespace is its own.
    expect(await datasetByFile(db, other.id, "data/loans.csv")).toBeNull();
    expect(await datasetsForCourse(db, other.id)).toEqual([]);
  });

  it("lists a course's datasets by file name, without their bytes", async () => {
    const { db, course } = await setup();
    await createDataset(db, { courseId: course.id, file: "b.csv", csv: loans, createdBy: null }, 1);
    await createDataset(db, { courseId: course.id, file: "a.csv", csv: loans, createdBy: null }, 2);
    const listed = await datasetsForCourse(db, course.id);
    expect(listed.map((d) => d.file)).toEqual(["a.csv", "b.csv"]);
    expect(listed[0]).not.toHaveProperty("csv");
  });

  it.each([
    ["a bad row", "a,b\n1,2\n3\n", /line 3: expected 2 fields as in the header, got 1/],
    ["a word in a numeric column", "age,y\n1,0\n2,1\nold,0\n4,1\n", /line 4, column `age`: expected a number, got "old"/],
    ["one column only", "y\n1\n0\n", /at least 2 columns/],
    ["nothing", "", /CSV is empty/],
  ])("refuses %s, naming the line and column", async (_case, csv, message) => {
    const { db, course } = await setup();
    await expect(createDataset(db, { courseId: course.id, file: "x.csv", csv, createdBy: null }, 1)).rejects.toThrow(ValidationError);
    await expect(createDataset(db, { courseId: course.id, file: "x.csv", csv, createdBy: null }, 1)).rejects.toThrow(message);
    expect(await datasetsForCourse(db, course.id)).toEqual([]);
  });

  it("enforces the size cap", async () => {
    const { db, course } = await setup();
    const big = `a,b\n${"1,2\n".repeat(Math.ceil(DATASET_LIMITS.maxBytes / 4) + 1)}`;
    await expect(createDataset(db, { courseId: course.id, file: "big.csv", csv: big, createdBy: null }, 1)).rejects.toThrow(
      `at most ${DATASET_LIMITS.maxBytes} bytes`,
    );
  });

  it.each(["../x.csv", "/etc/x.csv", "x.txt", "a b.csv", "data/./x.csv", ""])("refuses the file name %j", async (file) => {
    const { db, course } = await setup();
    await expect(createDataset(db, { courseId: course.id, file, csv: loans, createdBy: null }, 1)).rejects.toThrow(
      /file name must be like `loans.csv`/,
    );
  });

  it("refuses a second dataset with the same file in one course", async () => {
    const { db, course } = await setup();
    await createDataset(db, { courseId: course.id, file: "loans.csv", csv: loans, createdBy: null }, 1);
    await expect(createDataset(db, { courseId: course.id, file: "loans.csv", csv: loans, createdBy: null }, 2)).rejects.toThrow(
      PreconditionError,
    );
  });

  it("deletes only a dataset no assignment uses, and says which assignments use it", async () => {
    const { db, course } = await setup();
    await createDataset(db, { courseId: course.id, file: "loans.csv", csv: loans, createdBy: null }, 1);
    const dataset = { kind: "csv", file: "loans.csv", target: "default", task: "binary" };
    await createAssignment(
      db,
      {
        courseId: course.id,
        exerciseId: "credit-beat-baseline",
        title: "Loans, step 5",
        overrides: { dataset },
        deadline: null,
        attemptsAllowed: null,
        position: 1,
      },
      2,
    );
    await createAssignment(
      db,
      {
        courseId: course.id,
        exerciseId: "credit-overfit",
        title: "Other data",
        overrides: { dataset: { ...dataset, file: "else.csv" } },
        deadline: null,
        attemptsAllowed: null,
        position: 2,
      },
      2,
    );
    expect(await assignmentsUsingDataset(db, course.id, "loans.csv")).toEqual(["Loans, step 5"]);
    await expect(deleteDataset(db, course.id, "loans.csv")).rejects.toThrow(PreconditionError);
    await expect(deleteDataset(db, course.id, "loans.csv")).rejects.toThrow(/used by the assignment "Loans, step 5"/);
    expect(await datasetByFile(db, course.id, "loans.csv")).not.toBeNull();

    await createDataset(db, { courseId: course.id, file: "free.csv", csv: loans, createdBy: null }, 3);
    await deleteDataset(db, course.id, "free.csv");
    expect(await datasetByFile(db, course.id, "free.csv")).toBeNull();
    await expect(deleteDataset(db, course.id, "free.csv")).rejects.toThrow(NotFoundError);
  });
});

describe.each(testDialects)("a dataset's split seed on %s", (dialect) => {
  it("is stored at upload, and a dataset uploaded before migration 0009 gets 1337, the split its default assignments already used", async () => {
    const fresh = await openTestDb(dialect, { migrate: false });
    try {
      const { db } = fresh;
      // The schema as the release before 0009 left it, through the migrator's own path (scoped to this
      // test's schema: Kysely's introspector would scan every schema, including ones parallel files drop).
      const before = Object.keys(migrations(dialect)).filter((name) => name < "0009");
      await migrateTo(db, before.at(-1) ?? "");
      // Rows as they were before 0009: today's createCourse writes columns later migrations add.
      const course = { id: "old-course" };
      await sql`insert into courses (id, title, join_code, archived, created_at, settings) values (${course.id}, 'Old uploads', 'OLD-0001', 0, 1, '{}')`.execute(
        db.kysely,
      );
      await sql`insert into datasets (id, course_id, file, csv, bytes, rows, columns, created_by, created_at) values ('old', ${course.id}, 'old.csv', ${loans}, ${loans.length}, 3, '["age","income","region","default"]', null, 1)`.execute(
        db.kysely,
      );
      await migrate(db);
      expect((await datasetByFile(db, course.id, "old.csv"))?.splitSeed).toBe(CSV_SPLIT_SEED);
      expect(CSV_SPLIT_SEED).toBe(1337);
      const created = await createDataset(db, { courseId: course.id, file: "new.csv", csv: loans, createdBy: null }, 2);
      expect(created.splitSeed).toBe(CSV_SPLIT_SEED);
      expect((await datasetsForCourse(db, course.id)).map((d) => [d.file, d.splitSeed])).toEqual([
        ["new.csv", CSV_SPLIT_SEED],
        ["old.csv", CSV_SPLIT_SEED],
      ]);
    } finally {
      await fresh.cleanup();
    }
  });
});
