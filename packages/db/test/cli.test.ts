import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { type Db, migrate, migrations, openDb } from "../src/index";
import { openTestDb, testDialects } from "../src/testing";

const run = promisify(execFile);
const packageDir = join(import.meta.dirname, "..");

/**
 * Runs `pnpm --filter @stepwise/db migrate`'s script (`tsx src/cli/migrate.ts`) directly, as a separate
 * process, with tsx's loader in that one Node process: the `tsx` command (a shell shim, then tsx's CLI)
 * would start a second Node process to run the same script, about half of each start-up's CPU.
 */
function migrateCli(databaseUrl: string) {
  return run(process.execPath, ["--import", "tsx", "src/cli/migrate.ts"], {
    cwd: packageDir,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}

async function appliedMigrations(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db.kysely);
  return rows.map((r) => r.name);
}

describe.each(testDialects)("migrate CLI on %s", (dialect) => {
  it("migrates DATABASE_URL, also when two processes start at once", async () => {
    const fresh = await openTestDb(dialect, { migrate: false });
    const url = fresh.url;
    try {
      const results = await Promise.all([migrateCli(url), migrateCli(url)]);
      for (const { stdout } of results) expect(stdout).toMatch(new RegExp(`Migrated .* \\(${dialect}\\)`));
      const db = await openDb(url);
      try {
        expect(await appliedMigrations(db)).toEqual(Object.keys(migrations(dialect)));
        await migrate(db);
        expect(await appliedMigrations(db)).toEqual(Object.keys(migrations(dialect)));
      } finally {
        await db.close();
      }
    } finally {
      await fresh.cleanup();
    }
  }, 60_000);
});
