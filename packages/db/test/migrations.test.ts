import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createCourse, courseById, migrate, migrations, openDb } from "../src/index";
import { openTestDb, tableColumns, testDialects } from "../src/testing";
import { useTestDb } from "./helpers";

describe.each(testDialects)("migrations on %s", (dialect) => {
  const t = useTestDb(dialect);

  it("is idempotent: migrating again changes nothing and keeps data", async () => {
    const { db } = t();
    const course = await createCourse(db, { title: "Kept", joinCode: "KEEP1234" }, 1);
    await migrate(db);
    await migrate(db);
    expect(await courseById(db, course.id)).toEqual(course);
    const names = [...(await tableColumns(db)).keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        "users",
        "sessions",
        "courses",
        "enrollments",
        "assignments",
        "submissions",
        "jobs",
        "verdicts",
        "job_progress",
        "job_logs",
      ]),
    );
  });

  it("two connections migrating one fresh database at once both succeed", async () => {
    const fresh = await openTestDb(dialect, { migrate: false });
    const other = await openDb(fresh.url);
    try {
      // Regression: on SQLite Kysely's migrator takes no lock, and the second "create table" failed.
      await Promise.all([migrate(fresh.db), migrate(other), migrate(fresh.db)]);
      const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(other.kysely);
      expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations(dialect)));
    } finally {
      await other.close();
      await fresh.cleanup();
    }
  });

  it("stores timestamps beyond 2^31 as numbers", async () => {
    const { db } = t();
    const now = Date.UTC(2030, 0, 1);
    const course = await createCourse(db, { title: "Big time" }, now);
    const read = await courseById(db, course.id);
    expect(read?.createdAt).toBe(now);
    expect(typeof read?.createdAt).toBe("number");
  });
});

describe("openDb URL forms for SQLite", () => {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-url-"));
  it.each([
    ["absolute path", join(dir, "a", "abs.db")],
    ["file: URL", `file:${join(dir, "b", "file.db")}`],
    ["in memory", ":memory:"],
  ])("opens and migrates %s", async (_label, url) => {
    const db = await openDb(url);
    try {
      expect(db.dialect).toBe("sqlite");
      await migrate(db);
      const course = await createCourse(db, { title: "URL" }, 5);
      expect((await courseById(db, course.id))?.title).toBe("URL");
    } finally {
      await db.close();
    }
  });

  it("uses WAL journaling for files so readers do not block the writer", async () => {
    const db = await openDb(join(dir, "wal.db"));
    try {
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db.kysely);
      expect(rows[0]?.journal_mode).toBe("wal");
    } finally {
      await db.close();
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});
