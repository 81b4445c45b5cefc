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
import { courseInvitations } from "./0012_course_invitations";
import { auditEvents } from "./0013_audit_events";
import { lti } from "./0014_lti";
import { submissionFingerprint } from "./0015_submission_fingerprint";
import { jobEstimate } from "./0016_job_estimate";
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
 * a schema as an old release left it. Retries like `migrate` when another schema vanishes meanwhile.
 */
export function migrateTo(db: Db, target: string): Promise<void> {
  return migrateUnlocked(db, target);
}

async function migrateUnlocked(db: Db, target?: string): Promise<void> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one; with several
  // schemas in one database (one per test file, or per tenant) it would find another schema's.
  const schema =
    db.dialect === "postgres" ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db: db.kysely,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: () => Promise.resolve(migrations(db.dialect)) },
  });
  const run = () => (target === undefined ? migrator.migrateToLatest() : migrator.migrateTo(target));
  let { error, results } = await run();
  // Kysely's migrator introspects every schema of the database before it migrates ours; another
  // schema dropped meanwhile (a tenant removed, a parallel test's cleanup) fails that scan with a
  // catalog error naming the other schema. Nothing of ours has run by then, so try again.
  for (let attempt = 1; error !== undefined && attempt <= 5 && otherSchemaVanished(error, schema); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    ({ error, results } = await run());
  }
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, {
      cause: error,
    });
  }
}

/** A missing schema or relation, named with a schema that is not the one being migrated. */
function otherSchemaVanished(error: unknown, schema: string | undefined): boolean {
  if (schema === undefined || !(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (code !== "3F000" && code !== "42P01") return false;
  const named = /(?:schema|relation) "([^".]+)(?:\.[^"]*)?"/.exec(error.message)?.[1];
  return named !== undefined && named !== schema;
}
