import { betterAuth } from "better-auth";
import { describe, expect, it } from "vitest";
import {
  authPasswords,
  authRateLimitStorage,
  authStorage,
  createSession,
  createUser,
  userBySessionToken,
  verifyPassword,
} from "../src/index";
import type { Db } from "../src/connection";
import { testDialects } from "../src/testing";
import { useTestDb } from "./helpers";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";

function authOn(db: Db) {
  const storage = authStorage(db);
  return betterAuth({
    secret: SECRET,
    ...storage,
    emailAndPassword: { enabled: true, password: authPasswords },
    session: { ...storage.session, expiresIn: 3600 },
    // An hour-long window, so four requests never straddle two fixed windows.
    rateLimit: { enabled: true, customStorage: authRateLimitStorage(db), customRules: { "/sign-in/email": { window: 3600, max: 3 } } },
    advanced: { ...storage.advanced, ipAddress: { ipAddressHeaders: ["x-client-ip"] } },
    telemetry: { enabled: false },
    logger: { disabled: true },
  });
}

const cookieOf = (headers: Headers) => (headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";

/**
 * better-auth itself, on our Kysely instance and tables: what it writes must be what our repositories
 * read (bigint ms, 0/1, UUIDs), and what it reads back must be Dates and booleans again.
 */
describe.each(testDialects)("better-auth on our tables on %s", (dialect) => {
  const t = useTestDb(dialect, "all");
  let n = 0;
  const email = () => `ba${++n}-${dialect}@example.test`;

  it("signs up a student whose rows hold ms timestamps, 0/1 and UUIDs, and role cannot come from the sign-up body", async () => {
    const { db } = t();
    const auth = authOn(db);
    const address = email();
    const before = Date.now();
    const { response } = await auth.api.signUpEmail({
      body: { name: "Ada", email: address, password: "long-enough-pw", role: "admin" } as never,
      returnHeaders: true,
    });
    expect(response.user).toMatchObject({ email: address, role: "student", emailVerified: false });
    expect(response.user.createdAt).toBeInstanceOf(Date);
    const row = await db.kysely.selectFrom("users").selectAll().where("email", "=", address).executeTakeFirstOrThrow();
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row).toMatchObject({ role: "student", email_verified: 0 });
    expect(Number(row.created_at)).toBeGreaterThanOrEqual(before);
    const session = await db.kysely.selectFrom("sessions").selectAll().where("user_id", "=", row.id).executeTakeFirstOrThrow();
    // better-auth takes `now` twice, a millisecond or so apart.
    expect(Math.abs(Number(session.expires_at) - Number(session.created_at) - 3_600_000)).toBeLessThan(1000);
    expect((await verifyPassword(db, address, "long-enough-pw"))?.id).toBe(row.id);
  });

  it("signs in a user made by createUser, and its session resolves both through better-auth and userBySessionToken", async () => {
    const { db } = t();
    const auth = authOn(db);
    const address = email();
    const user = await createUser(db, { email: address, name: "Bo", role: "instructor", password: "bo-password" }, 77);
    const { headers, response } = await auth.api.signInEmail({ body: { email: address, password: "bo-password" }, returnHeaders: true });
    expect(response.user).toMatchObject({ id: user.id, role: "instructor" });
    expect((await userBySessionToken(db, response.token, Date.now()))?.id).toBe(user.id);
    const session = await auth.api.getSession({ headers: new Headers({ cookie: cookieOf(headers) }) });
    expect(session?.user).toMatchObject({ id: user.id, role: "instructor" });
    expect(session?.user.createdAt).toEqual(new Date(77));
    expect(session?.session.expiresAt).toBeInstanceOf(Date);
    await expect(auth.api.signInEmail({ body: { email: address, password: "bo-passwore" } })).rejects.toMatchObject({
      body: { code: "INVALID_EMAIL_OR_PASSWORD" },
    });
  });

  it("compares dates in its own queries correctly (sessions listed only while unexpired, expired verifications purged)", async () => {
    const { db } = t();
    const ctx = await authOn(db).$context;
    const user = await createUser(db, { email: email(), name: "Cy", role: "student", password: "cy-password" }, 0);
    const live = await createSession(db, user.id, Date.now(), 3_600_000);
    await createSession(db, user.id, Date.now() - 7_200_000, 3_600_000);
    const sessions = await ctx.internalAdapter.listSessions(user.id, { onlyActiveSessions: true });
    expect(sessions.map((s) => s.token)).toEqual([live.token]);

    await ctx.internalAdapter.createVerificationValue({ identifier: "stale", value: "x", expiresAt: new Date(Date.now() - 1000) });
    await ctx.internalAdapter.createVerificationValue({ identifier: "fresh", value: "y", expiresAt: new Date(Date.now() + 60_000) });
    expect((await ctx.internalAdapter.findVerificationValue("fresh"))?.value).toBe("y");
    expect((await db.kysely.selectFrom("verifications").select("identifier").execute()).map((v) => v.identifier)).toEqual(["fresh"]);
  });

  it("signs out: the session row goes and the cookie is cleared", async () => {
    const { db } = t();
    const auth = authOn(db);
    const address = email();
    await createUser(db, { email: address, name: "Di", role: "student", password: "di-password" }, 0);
    const { headers, response } = await auth.api.signInEmail({ body: { email: address, password: "di-password" }, returnHeaders: true });
    const out = await auth.api.signOut({ headers: new Headers({ cookie: cookieOf(headers) }), returnHeaders: true });
    expect(out.headers.getSetCookie()[0]).toMatch(/^better-auth\.session_token=; Max-Age=0/);
    expect(await db.kysely.selectFrom("sessions").select("id").where("token", "=", response.token).execute()).toEqual([]);
  });

  it("keeps its HTTP rate limit in rate_limit_hits, shared by two instances on one database", async () => {
    const { db, url } = t();
    const { openDb } = await import("../src/index");
    const other = await openDb(url);
    try {
      const request = () =>
        new Request("http://localhost/api/auth/sign-in/email", {
          method: "POST",
          headers: { "content-type": "application/json", "x-client-ip": `203.0.113.${dialect.length}` },
          body: JSON.stringify({ email: "nobody@example.test", password: "whatever-it-is" }),
        });
      const statuses = [];
      for (const auth of [authOn(db), authOn(other), authOn(db), authOn(other)]) statuses.push((await auth.handler(request())).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const rows = await db.kysely
        .withTables<{ rate_limit_hits: { key: string; count: number } }>()
        .selectFrom("rate_limit_hits")
        .select(["key", "count"])
        .execute();
      expect(rows).toEqual([{ key: `better-auth:203.0.113.${dialect.length}|/sign-in/email`, count: 4 }]);
    } finally {
      await other.close();
    }
  });

  it("answers better-auth's storage with a fixed window and the seconds left in it", async () => {
    const { db } = t();
    const at = Date.UTC(2026, 0, 15, 9, 0, 20);
    const storage = authRateLimitStorage(db, () => at);
    const rule = { window: 60, max: 1 };
    expect(await storage.consume(`k-${dialect}`, rule)).toEqual({ allowed: true, retryAfter: null });
    expect(await storage.consume(`k-${dialect}`, rule)).toEqual({ allowed: false, retryAfter: 40 });
  });
});
