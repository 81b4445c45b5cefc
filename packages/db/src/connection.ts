import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, PostgresDialect, type PostgresPoolClient, SqliteDialect, sql } from "kysely";
import pg, { type CustomTypesConfig } from "pg";
import { ValidationError } from "@stepwise/core/contracts";
import type { Database } from "./schema";

export type Dialect = "sqlite" | "postgres";

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** Max PostgreSQL connections in the pool. Ignored for SQLite (one connection per Db). */
  poolSize?: number;
  /** How long a SQLite writer waits for the file lock before failing, in ms. */
  busyTimeoutMs?: number;
  /**
   * Told when a PostgreSQL connection breaks outside any query (server restart, failover, an idle
   * reaper, `pg_terminate_backend`). The pool drops that connection and opens another on the next
   * query; without a listener pg's error would crash the process. Default: one console warning.
   */
  onConnectionError?: (error: Error) => void;
}

const INT8_OID = 20;
const sqliteFiles = new WeakMap<Db, string>();
const postgresUrls = new WeakMap<Db, string>();

/** The URL a PostgreSQL Db was opened with (for side connections such as a lock), or null. */
export function postgresUrlOf(db: Db): string | null {
  return postgresUrls.get(db) ?? null;
}

/** The absolute file path behind a SQLite Db, or null for PostgreSQL and ":memory:". */
export function sqliteFileOf(db: Db): string | null {
  return sqliteFiles.get(db) ?? null;
}

/**
 * Opens a database from a URL:
 * `postgres://…` / `postgresql://…` → PostgreSQL pool (query parameters such as
 * `options=-c search_path=…` are passed to the driver); `file:./x.db`, `/abs/x.db`, `./x.db`
 * or `:memory:` → SQLite. Does not migrate; call `migrate(db)`.
 */
export async function openDb(url: string, options: OpenDbOptions = {}): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  return Promise.resolve(openSqlite(url, options));
}

function sqlitePath(url: string): string {
  if (url === ":memory:" || url === "file::memory:") return ":memory:";
  const path = url.startsWith("file:") ? url.slice("file:".length).replace(/^\/\/(?=\/)/, "") : url;
  if (path.length === 0) throw new ValidationError(`SQLite URL must name a file or ":memory:", got "${url}"`);
  return resolve(path);
}

function openSqlite(url: string, options: OpenDbOptions): Db {
  const path = sqlitePath(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  // WAL lets readers proceed while one writer commits; busy_timeout makes a second process
  // (another grader, the CLI) wait for the write lock instead of failing at once.
  if (path !== ":memory:") database.pragma("journal_mode = WAL");
  database.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  database.pragma("foreign_keys = ON");
  database.pragma("synchronous = NORMAL");
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const db: Db = { kysely, dialect: "sqlite", close: () => kysely.destroy() };
  if (path !== ":memory:") sqliteFiles.set(db, path);
  return db;
}

// count(*) and bigint columns (ms timestamps) come back as strings by default; every value we
// store fits in a double, so parse them as numbers — per pool, not by mutating pg's globals.
const int8AsNumber = ((oid: number, format?: "text" | "binary"): unknown =>
  oid === INT8_OID && format !== "binary"
    ? (value: string) => Number(value)
    : pg.types.getTypeParser(oid, format)) as CustomTypesConfig["getTypeParser"];

const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
]);
const CONNECTION_ERROR_MESSAGES =
  /connection terminated|not queryable|terminating connection|timeout exceeded when trying to connect|connection refused|the database system is (starting up|shutting down)/i;

/**
 * Did `error` come from losing the database connection (refused, reset, terminated by the
 * server) rather than from the statement itself? Such an error says nothing about the data: the
 * statement either never ran or was rolled back with its connection.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (CONNECTION_ERROR_CODES.has(code) || code.startsWith("08"))) return true;
  if (CONNECTION_ERROR_MESSAGES.test(error.message)) return true;
  return error.cause !== undefined && error.cause !== error && isConnectionError(error.cause);
}

/** Waits between attempts to open a connection while the server restarts or fails over, ms. */
const CONNECT_RETRY_MS = [100, 400, 1_000];

/**
 * A pooled connection for one Kysely statement or transaction. Opening it sends no statement, so
 * it is retried while the server restarts or fails over. A statement that failed because the
 * connection died marks it, and its release then destroys it: pg only drops a connection it
 * already knows is dead, and the server's goodbye may come after the statement's error, which
 * would hand the next statement a dead connection.
 */
async function checkOut(pool: pg.Pool): Promise<PostgresPoolClient> {
  const client = await connectWithRetry(pool);
  let broken: Error | undefined;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  return {
    query: ((...args: unknown[]) => {
      const result = query(...args);
      if (result instanceof Promise) {
        return result.catch((error: unknown) => {
          if (isConnectionError(error)) broken = error as Error;
          throw error;
        });
      }
      return result;
    }) as PostgresPoolClient["query"],
    release: () => client.release(broken),
  };
}

async function connectWithRetry(pool: pg.Pool): Promise<pg.PoolClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await pool.connect();
    } catch (error) {
      const wait = CONNECT_RETRY_MS[attempt];
      if (wait === undefined || !isConnectionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function openPostgres(url: string, options: OpenDbOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: { getTypeParser: int8AsNumber },
  });
  const onError =
    options.onConnectionError ??
    ((error: Error) => console.warn(`[db] PostgreSQL connection lost (${error.message}); reconnecting on the next query`));
  // An idle pooled connection reports its death on the pool; a checked-out one between two
  // statements on the client itself. Both must be heard, or pg's 'error' event ends the process.
  // Each dead connection is reported once, whichever told first.
  const reported = new WeakSet<pg.PoolClient>();
  const report = (client: pg.PoolClient, error: Error) => {
    if (reported.has(client)) return;
    reported.add(client);
    onError(error);
  };
  pool.on("error", (error, client) => report(client, error));
  pool.on("connect", (client) => client.on("error", (error) => report(client, error)));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: { connect: () => checkOut(pool), end: () => pool.end() } }) });
  try {
    await sql`select 1`.execute(kysely);
  } catch (error) {
    await kysely.destroy();
    throw new Error(`Cannot connect to PostgreSQL at ${redact(url)}: ${(error as Error).message}`, { cause: error });
  }
  const db: Db = { kysely, dialect: "postgres", close: () => kysely.destroy() };
  postgresUrls.set(db, url);
  return db;
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

/**
 * Runs `fn` in a write transaction. On SQLite it starts with BEGIN IMMEDIATE: a deferred
 * transaction that reads and then writes can fail with SQLITE_BUSY when another connection
 * wrote in between, whereas IMMEDIATE takes the write lock up front and honours busy_timeout.
 */
export async function writeTx<T>(db: Db, fn: (q: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.dialect === "postgres") return db.kysely.transaction().execute(fn);
  return db.kysely.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}
