import { sql } from "kysely";
import { ValidationError } from "@stepwise/core/contracts";
import type { Db } from "./connection";

/** The table of migration 0002; declared here so the shared schema file stays untouched. */
type RateLimitTables = {
  rate_limit_hits: { key: string; window_start: number; count: number };
};

function table(db: Db) {
  return db.kysely.withTables<RateLimitTables>();
}

function windowStart(now: number, windowMs: number): number {
  if (!Number.isInteger(windowMs) || windowMs <= 0)
    throw new ValidationError(`Rate-limit window must be a positive integer of ms, got ${windowMs}`, "windowMs");
  return Math.floor(now / windowMs) * windowMs;
}

/**
 * Counts one attempt for `key` in the fixed window holding `now` and returns the count including it.
 * A single upsert, so concurrent requests on any number of web instances never lose a hit.
 */
export async function hitRateLimit(db: Db, input: { key: string; windowMs: number; now: number }): Promise<number> {
  const start = windowStart(input.now, input.windowMs);
  const row = await table(db)
    .insertInto("rate_limit_hits")
    .values({ key: input.key, window_start: start, count: 1 })
    .onConflict((oc) => oc.columns(["key", "window_start"]).doUpdateSet({ count: sql<number>`rate_limit_hits.count + 1` }))
    .returning("count")
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Attempts counted for `key` in the window holding `now`, without counting a new one. */
export async function rateLimitCount(db: Db, input: { key: string; windowMs: number; now: number }): Promise<number> {
  const row = await table(db)
    .selectFrom("rate_limit_hits")
    .select("count")
    .where("key", "=", input.key)
    .where("window_start", "=", windowStart(input.now, input.windowMs))
    .executeTakeFirst();
  return row ? Number(row.count) : 0;
}

/** Forgets the counts of `key` (e.g. after a successful sign-in), in every window. */
export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await table(db).deleteFrom("rate_limit_hits").where("key", "=", key).execute();
}

/** Deletes windows that started before `before` (ms); returns how many rows went. */
export async function purgeRateLimits(db: Db, before: number): Promise<number> {
  const result = await table(db).deleteFrom("rate_limit_hits").where("window_start", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The shape of better-auth's `rateLimit.customStorage` (one atomic check-and-count per request). */
export interface RateLimitStorage {
  consume(key: string, rule: { window: number; max: number }): Promise<{ allowed: boolean; retryAfter: number | null }>;
}

/**
 * better-auth's rate-limit storage on `rate_limit_hits`, so its limits hold across every web instance
 * like ours do. Fixed windows of `rule.window` seconds (better-auth's own windows roll); keys are
 * prefixed so they never meet the web app's `signin:…`/`signup:…` keys.
 */
export function authRateLimitStorage(db: Db, now: () => number = Date.now): RateLimitStorage {
  return {
    async consume(key, rule) {
      const windowMs = Math.max(1, Math.round(rule.window * 1000));
      const at = now();
      const count = await hitRateLimit(db, { key: `better-auth:${key}`, windowMs, now: at });
      if (count <= rule.max) return { allowed: true, retryAfter: null };
      return { allowed: false, retryAfter: Math.ceil((windowStart(at, windowMs) + windowMs - at) / 1000) };
    },
  };
}
