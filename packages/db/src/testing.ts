import { spawnSync } from "node:child_process";
/**
 * Test helpers, also used by other packages' tests: a fresh, migrated database per call, on
 * SQLite (a temp file, so a second connection or a child process can open the same URL) or on
 * PostgreSQL (a fresh schema, so parallel test files never collide).
 *
 * PostgreSQL comes from STEPWISE_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test.
 * If it is unreachable the helper throws: CI starts PostgreSQL, and a silently skipped half of
 * the suite would hide dialect bugs.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import type { Verdict } from "@stepwise/core/contracts";
import { type Db, type Dialect, type OpenDbOptions, openDb, redact, writeTx } from "./connection";
import { type Assignment, type Course, createAssignment, createCourse, enroll } from "./courses";
import { migrate } from "./migrations";
import { hashPassword } from "./passwords";
import { CREDENTIAL_PROVIDER, type Role, type User, normalizeEmail } from "./users";

export const DEFAULT_TEST_PG_URL = "postgres://postgres@127.0.0.1:5432/test";
export function testPgUrl(): string {
  return process.env.STEPWISE_TEST_PG_URL ?? DEFAULT_TEST_PG_URL;
}

/**
 * Can a TCP connection reach the test PostgreSQL? Checked synchronously (in a child node) because
 * `describe.each` needs the list of dialects when the file loads.
 */
function postgresReachable(url: string): boolean {
  const { hostname, port } = new URL(url);
  const probe =
    `const s=require("node:net").connect(${Number(port || 5432)},${JSON.stringify(hostname || "127.0.0.1")});` +
    `s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1));setTimeout(()=>process.exit(1),2000);`;
  return spawnSync(process.execPath, ["-e", probe], { timeout: 5000 }).status === 0;
}

/**
 * Dialects the tests run against. PostgreSQL is mandatory where `STEPWISE_REQUIRE_PG=1` (CI starts
 * it); on a newcomer's machine without a server its tests are skipped with a note instead of failing.
 */
export const testDialects: readonly Dialect[] = (() => {
  if (process.env.STEPWISE_REQUIRE_PG === "1" || postgresReachable(testPgUrl())) return ["sqlite", "postgres"];
  console.warn(
    `[stepwise] PostgreSQL is not reachable at ${testPgUrl()}: its tests are skipped (set STEPWISE_REQUIRE_PG=1 to make them mandatory).`,
  );
  return ["sqlite"];
})();

/**
 * The tables of `db`'s own schema with their column names, sorted. Kysely's introspector scans every
 * schema of the server: a PostgreSQL schema another test file drops meanwhile fails that scan with
 * an error about a table that is not this test's.
 */
export async function tableColumns(db: Db): Promise<Map<string, string[]>> {
  const { rows } =
    db.dialect === "postgres"
      ? await sql<{ table: string; column: string }>`select table_name as "table", column_name as "column" from information_schema.columns
          where table_schema = current_schema()`.execute(db.kysely)
      : await sql<{ table: string; column: string }>`select m.name as "table", p.name as "column" from sqlite_master m
          join pragma_table_info(m.name) p where m.type = 'table'`.execute(db.kysely);
  const tables = new Map<string, string[]>();
  for (const { table, column } of rows) tables.set(table, [...(tables.get(table) ?? []), column]);
  for (const columns of tables.values()) columns.sort();
  return tables;
}

export interface TestDb {
  db: Db;
  /** URL of the same database, for opening more connections (e.g. a second claimer). */
  url: string;
  /** Closes `db` and removes the file or schema. Connections opened from `url` must be closed first. */
  cleanup(): Promise<void>;
}

export interface TestDbOptions extends OpenDbOptions {
  /** Run migrations (default true); false gives an empty database. */
  migrate?: boolean;
}

export async function openTestDb(dialect: Dialect, options: TestDbOptions = {}): Promise<TestDb> {
  const migrated = options.migrate !== false;
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "stepwise-db-"));
    const file = join(dir, "test.db");
    if (migrated) copyFileSync(await sqliteTemplate(), file);
    return openAt(
      file,
      options,
      () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
      migrated,
    );
  }
  const baseUrl = testPgUrl();
  let admin: Db;
  try {
    admin = await openDb(baseUrl, { poolSize: 1 });
  } catch (error) {
    throw new Error(
      `PostgreSQL tests need a server at ${redact(baseUrl)} (set STEPWISE_TEST_PG_URL to override): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const reused = migrated ? idleSchemas.pop() : undefined;
  const schema = reused?.schema ?? `t_${randomBytes(6).toString("hex")}`;
  try {
    if (!reused) {
      if (migrated) await sweepIdleSchemas(admin);
      await sql`create schema ${sql.id(schema)}`.execute(admin.kysely);
    }
  } catch (error) {
    await admin.close();
    throw error;
  }
  let shape = reused?.shape;
  const testDb = await openAt(
    withSearchPath(baseUrl, schema),
    options,
    async () => {
      try {
        if (shape !== undefined && (await emptyForReuse(admin, schema, shape))) {
          idleSchemas.push({ schema, shape });
          return;
        }
        await sql`drop schema ${sql.id(schema)} cascade`.execute(admin.kysely);
      } finally {
        await admin.close();
      }
    },
    reused !== undefined,
  );
  if (migrated && shape === undefined) shape = await schemaShape(admin, schema);
  return testDb;
}

/*
 * Migrating a PostgreSQL schema costs a test over a second on a busy machine (about a hundred DDL
 * statements) and dropping it another half; emptying its tables costs a tenth of that. So a migrated
 * schema, once its test is done, is emptied (every row deleted, sequences restarted, the migrator's
 * own tables kept) and handed to the process's next test, provided its tables, columns, constraints and
 * triggers are still exactly those the migrations made; otherwise it is dropped. A process that ends
 * leaves its idle schema behind, marked with a comment: the first process that migrates a schema
 * drops those idle for longer than any test runs.
 */
const idleSchemas: Array<{ schema: string; shape: string }> = [];
const IDLE_COMMENT = "stepwise test schema, idle since ";
const STALE_IDLE_MS = 60 * 60 * 1000;
let swept = false;

async function schemaShape(admin: Db, schema: string): Promise<string> {
  const { rows } = await sql<{ shape: string }>`
    select concat_ws(',',
      (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = ${schema}),
      (select count(*) from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and a.attnum > 0 and not a.attisdropped),
      (select count(*) from pg_constraint k join pg_namespace n on n.oid = k.connamespace where n.nspname = ${schema}),
      (select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema})) as shape`.execute(admin.kysely);
  return rows[0]?.shape ?? "";
}

/** Empties a used schema for the next test; false when it cannot be reused as it is. */
async function emptyForReuse(admin: Db, schema: string, shape: string): Promise<boolean> {
  try {
    if ((await schemaShape(admin, schema)) !== shape) return false;
    // Deleting a few rows is cheap where TRUNCATE makes new files for every table and index (about a
    // second). Foreign keys are not checked while emptying (superuser only: elsewhere this fails and the
    // schema is dropped instead); sequences start over as in a fresh schema.
    await admin.kysely.transaction().execute(async (trx) => {
      // A connection a test leaked may still hold a lock: give up and drop rather than wait for it.
      await sql`set local lock_timeout = '5s'`.execute(trx);
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql
        .raw(
          `do $$ declare r record; begin
          for r in select tablename from pg_tables where schemaname = '${schema}' and tablename not like 'kysely\\_migration%' loop
            execute format('delete from %I.%I', '${schema}', r.tablename);
          end loop;
          for r in select sequencename, start_value from pg_sequences where schemaname = '${schema}' loop
            perform setval(format('%I.%I', '${schema}', r.sequencename)::regclass, r.start_value, false);
          end loop;
        end $$`,
        )
        .execute(trx);
      await sql`comment on schema ${sql.id(schema)} is ${sql.lit(`${IDLE_COMMENT}${Date.now()}`)}`.execute(trx);
    });
    return true;
  } catch {
    return false;
  }
}

async function sweepIdleSchemas(admin: Db): Promise<void> {
  if (swept) return;
  swept = true;
  const { rows } = await sql<{ schema: string; comment: string }>`
    select nspname as schema, obj_description(oid, 'pg_namespace') as comment from pg_namespace
    where obj_description(oid, 'pg_namespace') like ${`${IDLE_COMMENT}%`}`.execute(admin.kysely);
  for (const { schema, comment } of rows) {
    const since = Number(comment.slice(IDLE_COMMENT.length));
    if (Number.isFinite(since) && Date.now() - since > STALE_IDLE_MS)
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.kysely);
  }
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("options", `-c search_path=${schema}`);
  return parsed.toString();
}

/*
 * Migrating a SQLite file costs a test about 100 ms on a busy machine; copying a migrated one costs
 * a few. The template is a file in the temp directory shared by every process and run, named after
 * the migrations' source, so that a change to them builds a new one. PostgreSQL schemas are still
 * migrated one by one: cloning a template database measured barely faster (it copies the whole
 * database through the WAL) and writes megabytes per test.
 */

function migrationsFingerprint(): string {
  const dir = new URL("./migrations/", import.meta.url);
  const hash = createHash("sha256");
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(new URL(file, dir)));
  return hash.digest("hex").slice(0, 16);
}

let sqliteTemplateFile: Promise<string> | undefined;
function sqliteTemplate(): Promise<string> {
  sqliteTemplateFile ??= (async () => {
    const file = join(tmpdir(), `stepwise-test-template-${migrationsFingerprint()}.db`);
    if (existsSync(file)) return file;
    const dir = mkdtempSync(join(tmpdir(), "stepwise-db-template-"));
    try {
      const db = await openDb(join(dir, "template.db"));
      try {
        await migrate(db);
      } finally {
        // Closing the last connection checkpoints the WAL into the file, so the file alone is the database.
        await db.close();
      }
      // A rename is atomic: a process never copies a half-written template, and two that raced both wrote a whole one.
      renameSync(join(dir, "template.db"), file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return file;
  })();
  return sqliteTemplateFile;
}

/**
 * Opens the database at `url` and migrates it, unless told otherwise or it is a copy of the template;
 * cleanup closes it, then removes what held it.
 */
async function openAt(url: string, options: TestDbOptions, remove: () => Promise<void>, fromTemplate = false): Promise<TestDb> {
  const db = await openDb(url, options);
  if (!fromTemplate && options.migrate !== false) await migrate(db);
  return {
    db,
    url,
    cleanup: async () => {
      await db.close();
      await remove();
    },
  };
}

const hashes = new Map<string, Promise<string>>();

/**
 * A user with a credential account, the rows `createUser` writes, for fixtures: the password's hash
 * (a real better-auth hash, so signing in with it works) is made once per password and process. A
 * hash costs about half a second of CPU on a busy machine, and fixtures made four per test.
 * `createUser` itself is tested in users.test.ts.
 */
export async function createTestUser(
  db: Db,
  input: { email: string; name: string; role: Role; password: string },
  now: number,
): Promise<User> {
  let hash = hashes.get(input.password);
  if (hash === undefined) {
    hash = hashPassword(input.password);
    hashes.set(input.password, hash);
  }
  const password = await hash;
  const user: User = { id: randomUUID(), email: normalizeEmail(input.email), name: input.name, role: input.role, createdAt: now };
  await writeTx(db, async (q) => {
    await q
      .insertInto("users")
      .values({ id: user.id, email: user.email, name: user.name, role: user.role, image: null, created_at: now, updated_at: now })
      .execute();
    await q
      .insertInto("accounts")
      .values({
        id: randomUUID(),
        account_id: user.id,
        provider_id: CREDENTIAL_PROVIDER,
        user_id: user.id,
        password,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  return user;
}

export interface Fixture {
  instructor: User;
  student: User;
  course: Course;
  assignment: Assignment;
}

/** An instructor, a student and a course with one assignment, both users enrolled. */
export async function seedCourse(db: Db, now: number, exerciseId = "mnist-step-5-baseline"): Promise<Fixture> {
  const tag = randomBytes(4).toString("hex");
  const instructor = await createTestUser(
    db,
    { email: `teacher-${tag}@example.test`, name: "Ada Teacher", role: "instructor", password: "correct horse" },
    now,
  );
  const student = await createTestUser(
    db,
    { email: `student-${tag}@example.test`, name: "Sam Student", role: "student", password: "battery staple" },
    now,
  );
  const course = await createCourse(db, { title: "Deep Learning 101" }, now);
  await enroll(db, { courseId: course.id, userId: instructor.id, role: "instructor" }, now);
  await enroll(db, { courseId: course.id, userId: student.id, role: "student" }, now);
  const assignment = await createAssignment(
    db,
    { courseId: course.id, exerciseId, title: "Beat the baseline", overrides: {}, deadline: null, attemptsAllowed: 5, position: 0 },
    now,
  );
  return { instructor, student, course, assignment };
}

/**
 * A class at scale in `courseId`, seeded straight into the tables (the class-scale browser test and
 * `pnpm bench --only gradebook` read the same class): `students` students, each with one graded
 * submission per assignment except a regular gap (not attempted), scores spread over 0–100; students
 * 1–3 share a fingerprint on the first assignment. Jobs are numbered from `seq` (SQLite has no
 * sequence for jobs.seq). `from` numbers the students on from an earlier call's. Returns the students in
 * order and the next free seq.
 */
export async function seedClassGrades(
  db: Db,
  input: {
    courseId: string;
    assignments: ReadonlyArray<Pick<Assignment, "id" | "exerciseId">>;
    students: number;
    now: number;
    seq?: number;
    from?: number;
  },
): Promise<{ users: Array<{ id: string; email: string; name: string }>; seq: number }> {
  const { now } = input;
  const from = input.from ?? 0;
  const users = Array.from({ length: input.students }, (_, k) => k + from).map((i) => ({
    id: randomUUID(),
    email: `learner${String(i).padStart(3, "0")}@class.test`,
    name: `Learner ${String(i).padStart(3, "0")}`,
    role: "student",
    image: null,
    created_at: now,
    updated_at: now,
  }));
  await insertAll(db, "users", users);
  await insertAll(
    db,
    "enrollments",
    users.map((u) => ({ course_id: input.courseId, user_id: u.id, role: "student", created_at: now })),
  );
  let seq = input.seq ?? 1_000;
  const submissions: object[] = [];
  const jobs: object[] = [];
  const verdicts: object[] = [];
  users.forEach((user, k) => {
    const i = k + from;
    input.assignments.forEach((assignment, j) => {
      if ((i + j) % 9 === 0) return;
      const id = randomUUID();
      const score = ((i * 7 + j * 13) % 101) / 100;
      const status = score >= 0.5 ? "passed" : "failed";
      const at = now - 3_600_000 + i * 1000 + j;
      const identical = j === 0 && i >= 1 && i <= 3;
      submissions.push({
        id,
        assignment_id: assignment.id,
        user_id: user.id,
        exercise_id: assignment.exerciseId,
        payload: JSON.stringify({ exerciseId: assignment.exerciseId, answers: {} }),
        created_at: at,
        fingerprint: identical ? "f".repeat(64) : randomUUID(),
      });
      const jobId = randomUUID();
      jobs.push({
        id: jobId,
        seq: seq++,
        submission_id: id,
        status: "done",
        priority: 0,
        attempts: 1,
        max_attempts: 3,
        run_after: at,
        lease_until: null,
        worker_id: "seed",
        last_error: null,
        created_at: at,
        started_at: at,
        finished_at: at + 500,
      });
      verdicts.push({
        job_id: jobId,
        submission_id: id,
        status,
        verdict: JSON.stringify(sampleVerdict(status, score)),
        created_at: at + 500,
      });
    });
  });
  await insertAll(db, "submissions", submissions);
  await insertAll(db, "jobs", jobs);
  await insertAll(db, "verdicts", verdicts);
  return { users: users.map(({ id, email, name }) => ({ id, email, name })), seq };
}

/** Inserts rows straight into a table, 400 at a time (the statement's parameter limit). */
export async function insertAll<T>(
  db: Db,
  table: "users" | "enrollments" | "submissions" | "jobs" | "verdicts" | "job_progress",
  rows: T[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 400)
    await db.kysely
      .insertInto(table)
      .values(rows.slice(i, i + 400))
      .execute();
}

/** A small, valid verdict for queue tests. */
export function sampleVerdict(status: Verdict["status"] = "passed", score = 1): Verdict {
  return {
    status,
    score,
    summary: `Test verdict (${status}).`,
    checks: [{ id: "beats-baseline", passed: status === "passed", message: "Accuracy 0.97 beats 0.11 (p < 0.01)", visibility: "always" }],
    metrics: { testAccuracy: { label: "Test accuracy", value: 0.97 } },
    curves: { history: [{ epoch: 1, loss: 0.3, seconds: 1.2 }] },
    diagnostics: [],
  };
}

/**
 * PostgreSQL fault injection: terminates the server processes behind the connections opened with
 * `application_name` (all of them, or only those waiting for a lock in a statement matching the
 * ILIKE pattern `waitingIn`), as a server restart or an idle-connection reaper would. Returns how many.
 */
export async function terminateBackends(admin: Db, applicationName: string, waitingIn?: string): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
    where application_name = ${applicationName} and pid <> pg_backend_pid()
      and (${waitingIn ?? null}::text is null or (wait_event_type = 'Lock' and query ilike ${waitingIn ?? ""}))`.execute(admin.kysely);
  return result.rows[0]?.n ?? 0;
}

/** Connections opened with `application_name` that wait for a lock in a statement matching the ILIKE pattern. */
export async function backendsWaiting(admin: Db, applicationName: string, statement: string): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where application_name = ${applicationName} and wait_event_type = 'Lock' and query ilike ${statement}`.execute(admin.kysely);
  return result.rows[0]?.n ?? 0;
}

/**
 * Holds a PostgreSQL lock in an open transaction until the returned function is called: a whole
 * table in SHARE mode (readers pass, writers wait) or one job's row (its updates wait).
 */
export async function holdLock(db: Db, lock: { table: "jobs" | "verdicts" } | { jobRow: string }): Promise<() => Promise<void>> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked: () => void = () => undefined;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = db.kysely.transaction().execute(async (trx) => {
    if ("table" in lock) await sql`lock table ${sql.table(lock.table)} in share mode`.execute(trx);
    else await trx.selectFrom("jobs").select("id").where("id", "=", lock.jobRow).forUpdate().execute();
    locked();
    await released;
  });
  await Promise.race([isLocked, done]);
  return async () => {
    release();
    await done;
  };
}
