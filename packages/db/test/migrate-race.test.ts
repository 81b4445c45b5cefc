/**
 * Regression: with several schemas in one PostgreSQL database (parallel test files, tenants),
 * migrating one schema failed with "schema … does not exist" or "relation t_….enrollments does not
 * exist" when another schema was dropped while Kysely's migrator scanned the catalog of all of them.
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDb } from "../src/connection";
import { migrate } from "../src/migrations";
import { openTestDb, testDialects, testPgUrl } from "../src/testing";

describe.runIf(testDialects.includes("postgres"))("migrating one schema while others are dropped", () => {
  it("succeeds every time", async () => {
    const admin = await openDb(testPgUrl(), { poolSize: 4 });
    try {
      for (let round = 0; round < 6; round++) {
        const doomed = Array.from({ length: 12 }, () => `gone_${randomBytes(5).toString("hex")}`);
        for (const name of doomed) {
          await sql`create schema ${sql.id(name)}`.execute(admin.kysely);
          await sql`create table ${sql.id(name, "enrollments")} (id int primary key, note text)`.execute(admin.kysely);
        }
        const fresh = await openTestDb("postgres", { migrate: false });
        try {
          const dropping = (async () => {
            for (const name of doomed) await sql`drop schema ${sql.id(name)} cascade`.execute(admin.kysely);
          })();
          await Promise.all([migrate(fresh.db), dropping]);
          const tables = await sql<{
            n: number;
          }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = 'enrollments'`.execute(
            fresh.db.kysely,
          );
          expect(tables.rows[0]?.n).toBe(1);
        } finally {
          await fresh.cleanup();
        }
      }
    } finally {
      await admin.close();
    }
  });
});
