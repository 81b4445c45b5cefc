import SqliteDatabase from "better-sqlite3";
import pg from "pg";

const inProcess = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while holding a cross-process lock for the SQLite file `path`. Kysely's migrator
 * takes no lock on SQLite (it assumes one connection), so a web server and a grader starting
 * together would both run "create table" and one would fail. The lock is an EXCLUSIVE
 * transaction on a sibling file; other processes wait for it through busy_timeout. Callers in
 * this process queue on a promise first, because better-sqlite3 waits synchronously and would
 * block the event loop the holder needs to finish.
 */
export async function withSqliteMigrationLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const previous = inProcess.get(path) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const lock = new SqliteDatabase(`${path}.migrate-lock`);
      try {
        lock.pragma(`busy_timeout = ${timeoutMs}`);
        lock.exec("begin exclusive");
        try {
          return await fn();
        } finally {
          lock.exec("rollback");
        }
      } finally {
        lock.close();
      }
    });
  inProcess.set(path, run);
  try {
    return await run;
  } finally {
    if (inProcess.get(path) === run) inProcess.delete(path);
  }
}

/**
 * Runs `fn` while holding a session-level advisory lock, keyed by the schema, on a dedicated
 * connection. Kysely's migrator locks only after creating its own bookkeeping tables, and two
 * processes creating those at once collide.
 */
export async function withPostgresMigrationLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // A server that ends this session (restart, pg_terminate_backend) fails the statement in flight;
  // without a listener pg's 'error' event would end the process as well.
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext('stepwise:migrate:' || current_schema()))");
    return await fn();
  } finally {
    // Ending the session releases the lock even if the unlock query is never sent.
    await client.end();
  }
}
