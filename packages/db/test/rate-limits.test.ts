import { describe, expect, it } from "vitest";
import { clearRateLimit, hitRateLimit, purgeRateLimits, rateLimitCount } from "../src/index";
import { testDialects } from "../src/testing";
import { useTestDb } from "./helpers";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

describe.each(testDialects)("auth rate-limit counters on %s", (dialect) => {
  const t = useTestDb(dialect, "all");
  let n = 0;
  const key = () => `signin:email:user${++n}@example.test`;

  it("counts hits per key within a fixed window and starts again in the next one", async () => {
    const { db } = t();
    const k = key();
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(await hitRateLimit(db, { key: k, windowMs: MINUTE, now: T0 + i * 1000 }));
    expect(counts).toEqual([1, 2, 3]);
    expect(await hitRateLimit(db, { key: key(), windowMs: MINUTE, now: T0 })).toBe(1);
    expect(await rateLimitCount(db, { key: k, windowMs: MINUTE, now: T0 + 59_999 })).toBe(3);
    expect(await rateLimitCount(db, { key: k, windowMs: MINUTE, now: T0 + MINUTE })).toBe(0);
    expect(await hitRateLimit(db, { key: k, windowMs: MINUTE, now: T0 + MINUTE })).toBe(1);
  });

  it("loses no hit when many requests count at once", async () => {
    const { db } = t();
    const k = key();
    const results = await Promise.all(Array.from({ length: 20 }, () => hitRateLimit(db, { key: k, windowMs: MINUTE, now: T0 })));
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await rateLimitCount(db, { key: k, windowMs: MINUTE, now: T0 })).toBe(20);
  });

  it("clears one key and purges old windows only", async () => {
    const { db } = t();
    const [a, b] = [key(), key()];
    await hitRateLimit(db, { key: a, windowMs: MINUTE, now: T0 });
    await hitRateLimit(db, { key: b, windowMs: MINUTE, now: T0 });
    await hitRateLimit(db, { key: b, windowMs: MINUTE, now: T0 + 10 * MINUTE });
    await clearRateLimit(db, a);
    expect(await rateLimitCount(db, { key: a, windowMs: MINUTE, now: T0 })).toBe(0);
    expect(await purgeRateLimits(db, T0 + MINUTE)).toBeGreaterThanOrEqual(1);
    expect(await rateLimitCount(db, { key: b, windowMs: MINUTE, now: T0 })).toBe(0);
    expect(await rateLimitCount(db, { key: b, windowMs: MINUTE, now: T0 + 10 * MINUTE })).toBe(1);
  });

  it.each([0, -5, 1.5])("rejects a window of %s ms", async (windowMs) => {
    await expect(hitRateLimit(t().db, { key: key(), windowMs, now: T0 })).rejects.toThrow(/positive integer/);
  });
});
