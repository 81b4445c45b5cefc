/**
 * The test harness's PostgreSQL schemas (`openTestDb`): a finished test's schema is emptied and handed
 * to the same process's next test while it is still exactly what the migrations made, dropped when a
 * test changed its shape, and schemas that finished processes left idle are swept once they have
 * been idle for over an hour. Every other test relies on this being right: a schema handed on with
 * rows in it, or with a table a test added, would make tests depend on each other.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createCourse, openDb } from "../src/index";
import { openTestDb, testDialects, testPgUrl } from "../src/testing";

const schemaOf = (url: string) => new URL(url).searchParams.get("options")?.replace("-c search_path=", "") ?? "";

async function schemaExists(schema: string): Promise<boolean> {
  const admin = await openDb(testPgUrl(), { poolSize: 1 });
  try {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_namespace where nspname = ${schema}`.execute(admin.kysely);
    return rows[0]?.n === 1;
  } finally {
    await admin.close();
  }
}

describe.skipIf(!testDialects.includes("postgres"))("PostgreSQL test schemas", () => {
  it("hands a finished test's schema to the next test empty and still migrated", async () => {
    const first = await openTestDb("postgres");
    const schema = schemaOf(first.url);
    await createCourse(first.db, { title: "Left behind", joinCode: "LEFT-1" }, 0);
    await first.cleanup();

    const next = await openTestDb("postgres");
    try {
      expect(schemaOf(next.url)).toBe(schema);
      const courses = await sql<{ n: number }>`select count(*)::int as n from courses`.execute(next.db.kysely);
      expect(courses.rows[0]?.n).toBe(0);
      // Still migrated: the repositories work on it as on a fresh schema.
      expect((await createCourse(next.db, { title: "Fresh", joinCode: "FRESH-1" }, 0)).title).toBe("Fresh");
    } finally {
      await next.cleanup();
    }
  });

  it("drops a schema whose tables a test changed instead of handing it on", async () => {
    const changed = await openTestDb("postgres");
    const schema = schemaOf(changed.url);
    await sql`create table extra (id int)`.execute(changed.db.kysely);
    await changed.cleanup();
    expect(await schemaExists(schema)).toBe(false);

    const next = await openTestDb("postgres");
    try {
      expect(schemaOf(next.url)).not.toBe(schema);
    } finally {
      await next.cleanup();
    }
  });

  it("a new process drops schemas idle for over an hour and keeps those idle for less", async () => {
    const admin = await openDb(testPgUrl(), { poolSize: 1 });
    const stale = `t_sweep_stale_${process.pid}`;
    const recent = `t_sweep_recent_${process.pid}`;
    try {
      for (const [schema, idleMs] of [
        [stale, 2 * 3_600_000],
        [recent, 60_000],
      ] as const) {
        await sql`create schema ${sql.id(schema)}`.execute(admin.kysely);
        await sql`comment on schema ${sql.id(schema)} is ${sql.lit(`stepwise test schema, idle since ${Date.now() - idleMs}`)}`.execute(
          admin.kysely,
        );
      }
      // The sweep runs once per process, when it first migrates a schema: a child process is a new one.
      const testing = fileURLToPath(new URL("../src/testing.ts", import.meta.url));
      const child = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "--input-type=module",
          "-e",
          `const { openTestDb } = await import(${JSON.stringify(testing)}); const t = await openTestDb("postgres"); await t.cleanup();`,
        ],
        { encoding: "utf8", env: process.env, timeout: 120_000 },
      );
      expect(child.status, child.stderr).toBe(0);
      expect(await schemaExists(stale)).toBe(false);
      expect(await schemaExists(recent)).toBe(true);
    } finally {
      for (const schema of [stale, recent]) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.kysely);
      await admin.close();
    }
  });
});
