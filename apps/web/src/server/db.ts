import { migrate, openDb, type Db } from "@stepwise/db";
import { env } from "../env";

// One database per process. Cached on globalThis so dev-mode module reloads reuse the pool
// instead of opening a new one on every edit.
const globalForDb = globalThis as typeof globalThis & { stepwiseDb?: Promise<Db> };

export function getDb(): Promise<Db> {
  globalForDb.stepwiseDb ??= (async () => {
    // A connection the server drops (restart, failover, idle reaper) is replaced on the next query;
    // a request that was using it fails once and the next one succeeds.
    const db = await openDb(env().DATABASE_URL, {
      onConnectionError: (error) => console.warn(`[web] a database connection was closed (${error.message}); the next query opens another`),
    });
    await migrate(db);
    return db;
  })().catch((error: unknown) => {
    globalForDb.stepwiseDb = undefined;
    throw error;
  });
  return globalForDb.stepwiseDb;
}
