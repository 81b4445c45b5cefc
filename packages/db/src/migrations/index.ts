import { type Migration, Migrator, sql } from "kysely";
import { type Db, type Dialect, postgresUrlOf, sqliteFileOf } from "../connection";
import { initial } from "./0001_initial";
import { authRateLimits } from "./0002_auth_rate_limits";
import { instructor } from "./0003_instructor";
import { betterAuth } from "./0004_better_auth";
import { testEvaluations } from "./0005_test_evaluations";
import { tuning } from "./0006_tuning";
import { graderCalibration } from "./0007_grader_calibration";
import { datasetSplitSeed } from "./0009_dataset_split_seed";
import { courseMode } from "./0010_course_mode";
import { drafts } from "./0011_drafts";
import { withPostgresMigrationLock, withSqliteMigrationLock } from "./lock";

/**
 * All migrations, in order, listed statically: no file-system globbing, so they work the same
 * under tsx, vitest and a bundled Next.js server. Names sort lexically; never rename one.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    "0001_initial": initial(dialect),
    "0002_auth_rate_limits": authRateLimits(),
    "0003_instructor": instructor(),
    "0004_better_auth": betterAuth(),
    "0005_test_evaluations": testEvaluations(),
    "0006_tuning": tuning(),
    "0007_grader_calibration": graderCalibration(),
    "0009_dataset_split_seed": datasetSplitSeed(),
    "0010_course_mode": courseMode(),
    "0011_drafts": drafts(),
  };
}

/**
 * Brings the schema up to date. Idempotent and safe to call from several processes at once:
 * PostgreSQL through an advisory lock per schema, SQLite files through a sibling lock file.
 */
export async function migrate(db: Db): Promise<void> {
  const file = sqliteFileOf(db);
  if (file !== null) return withSqliteMigrationLock(file, () => migrateUnlocked(db));
  const url = postgresUrlOf(db);
  if (url !== null) return withPostgresMigrationLock(url, () => migrateUnlocked(db));
  return migrateUnlocked(db);
}

async function migrateUnlocked(db: Db): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with several
  // schemas in one database (one per test file, or per tenant) it would find another schema's.
  const schema =
    db.dialect === "postgres" ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db: db.kysely,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: () => Promise.resolve(migrations(db.dialect)) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, {
      cause: error,
    });
  }
}
