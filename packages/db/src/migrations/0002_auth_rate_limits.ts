import type { Kysely, Migration } from "kysely";

/**
 * Fixed-window counters for authentication rate limits (sign-in, sign-up, join codes), kept in the
 * database so every web instance counts the same attempts. One row per key and window.
 */
export function authRateLimits(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("rate_limit_hits")
        .addColumn("key", "text", (c) => c.notNull())
        .addColumn("window_start", "bigint", (c) => c.notNull())
        .addColumn("count", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("rate_limit_hits_pk", ["key", "window_start"])
        .execute();
      // Purging old windows scans by time, not by key.
      await db.schema.createIndex("rate_limit_hits_window_start").on("rate_limit_hits").column("window_start").execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable("rate_limit_hits").execute();
    },
  };
}
