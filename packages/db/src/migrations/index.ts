import { type DatabaseIntrospector, type Kysely, type Migration, Migrator, sql } from "kysely";
import { type Db, type Dialect, postgresUrlOf, sqliteFileOf } from "../connection";
import type { Database } from "../schema";
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
import { courseInvitations } from "./0012_course_invitations";
import { auditEvents } from "./0013_audit_events";
import { lti } from "./0014_lti";
import { submissionFingerprint } from "./0015_submission_fingerprint";
import { jobEstimate } from "./0016_job_estimate";
import { calibrationTraining } from "./0017_calibration_training";
import { calibrationCorrection } from "./0018_calibration_correction";
import { calibrationDatasetCorrections } from "./0019_calibration_dataset_corrections";
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
    "0012_course_invitations": courseInvitations(),
    "0013_audit_events": auditEvents(),
    "0014_lti": lti(dialect),
    "0015_submission_fingerprint": submissionFingerprint(),
    "0016_job_estimate": jobEstimate(),
    "0017_calibration_training": calibrationTraining(),
    "0018_calibration_correction": calibrationCorrection(),
    "0019_calibration_dataset_corrections": calibrationDatasetCorrections(),
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

/**
 * Migrates up to and including `target` only, without the cross-process lock: for tests that build
 * a schema as an old release left it.
 */
export function migrateTo(db: Db, target: string): Promise<void> {
  return migrateUnlocked(db, target);
}

async function migrateUnlocked(db: Db, target?: string): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with several
  // schemas in one database (one per test file, or per tenant) it would find another schema's.
  const schema =
    db.dialect === "postgres"
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: schema === undefined ? db.kysely : scopedToSchema(db.kysely, schema),
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: () => Promise.resolve(migrations(db.dialect)) },
  });
  const { error, results } = await (target === undefined ? migrator.migrateToLatest() : migrator.migrateTo(target));
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, {
      cause: error,
    });
  }
}

/**
 * The migrator asks whether its bookkeeping tables exist by introspecting every table of every
 * schema, column by column. Another schema being migrated or dropped meanwhile (a parallel test
 * file, a tenant removed) fails that scan with a catalog error about a table that is not ours, and
 * with hundreds of schemas the scan is slow. Kysely's own introspector cannot be narrowed, so the
 * migrator gets one that only ever looks at the schema it migrates.
 */
function scopedToSchema(kysely: Kysely<Database>, schema: string): Kysely<Database> {
  const introspection: DatabaseIntrospector = {
    getSchemas: async () =>
      (await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(kysely)).rows,
    getTables: async () =>
      (
        await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(kysely)
      ).rows.map((row) => ({ name: row.name, schema, isView: false, columns: [] })),
    getMetadata: async () => ({ tables: await introspection.getTables() }),
  };
  return new Proxy(kysely, {
    get(target, property) {
      if (property === "introspection") return introspection;
      // Kysely keeps its state in private fields, which only the real instance can read.
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
