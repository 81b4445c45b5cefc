import { PreconditionError } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import {
  createSession,
  createUser,
  deleteExpiredSessions,
  deleteSession,
  rehashLegacyPassword,
  userBySessionToken,
  verifyPassword,
} from "../src/index";
import { testDialects } from "../src/testing";
import { useTestDb } from "./helpers";

const HOUR = 3_600_000;
// better-auth's scrypt format: 16-byte salt and 64-byte key, hex, colon-separated.
const BETTER_AUTH_HASH = /^[0-9a-f]{32}:[0-9a-f]{128}$/;

describe.each(testDialects)("users and sessions on %s", (dialect) => {
  const t = useTestDb(dialect, "all");
  let n = 0;
  const email = () => `user${++n}-${dialect}@Example.test`;

  it("creates a user with a normalized email and a credential account holding better-auth's hash, never the password", async () => {
    const { db } = t();
    const address = email();
    const user = await createUser(db, { email: `  ${address} `, name: "Grace", role: "instructor", password: "hunter22" }, 10);
    expect(user).toMatchObject({ email: address.toLowerCase(), name: "Grace", role: "instructor", createdAt: 10 });
    const row = await db.kysely.selectFrom("users").selectAll().where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email_verified: 0, image: null, created_at: 10, updated_at: 10 });
    const accounts = await db.kysely.selectFrom("accounts").selectAll().where("user_id", "=", user.id).execute();
    expect(accounts).toEqual([expect.objectContaining({ provider_id: "credential", account_id: user.id, created_at: 10 })]);
    expect(accounts[0]?.password).toMatch(BETTER_AUTH_HASH);
    expect(JSON.stringify([row, accounts])).not.toContain("hunter22");
    await expect(createUser(db, { email: address.toUpperCase(), name: "Twin", role: "student", password: "x" }, 11)).rejects.toThrow(
      PreconditionError,
    );
    expect(await db.kysely.selectFrom("users").select("id").where("name", "=", "Twin").execute()).toEqual([]);
  });

  it.each([
    ["the right password", "s3cret-pass", true],
    ["a wrong password", "s3cret-Pass", false],
    ["an empty password", "", false],
  ])("verifyPassword with %s", async (_label, attempt, ok) => {
    const { db } = t();
    const address = email();
    const user = await createUser(db, { email: address, name: "Lin", role: "student", password: "s3cret-pass" }, 1);
    const found = await verifyPassword(db, address.toUpperCase(), attempt);
    expect(found?.id ?? null).toBe(ok ? user.id : null);
  });

  it("returns null for an unknown email", async () => {
    expect(await verifyPassword(t().db, "nobody@example.test", "whatever")).toBeNull();
  });

  it("leaves a better-auth hash alone when asked to re-hash a legacy one", async () => {
    const { db } = t();
    const user = await createUser(db, { email: email(), name: "New", role: "student", password: "pw-pw-pw" }, 0);
    const before = await db.kysely.selectFrom("accounts").select("password").where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(await rehashLegacyPassword(db, user.id, "pw-pw-pw", 5)).toBe(false);
    expect(await db.kysely.selectFrom("accounts").select("password").where("user_id", "=", user.id).executeTakeFirstOrThrow()).toEqual(
      before,
    );
  });

  it("resolves a session by its bare token until it expires, and not after delete", async () => {
    const { db } = t();
    const user = await createUser(db, { email: email(), name: "Kim", role: "student", password: "pw-pw-pw" }, 0);
    const now = 1_000_000;
    const session = await createSession(db, user.id, now, HOUR);
    // better-auth's token format, so its own endpoints (sign-out) find these rows too.
    expect(session.token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(session.expiresAt).toBe(now + HOUR);
    const stored = await db.kysely.selectFrom("sessions").selectAll().where("token", "=", session.token).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ user_id: user.id, expires_at: now + HOUR, created_at: now, updated_at: now });

    expect((await userBySessionToken(db, session.token, now + HOUR - 1))?.id).toBe(user.id);
    expect(await userBySessionToken(db, session.token, now + HOUR)).toBeNull();
    expect(await userBySessionToken(db, `${session.token}x`, now)).toBeNull();

    const other = await createSession(db, user.id, now, HOUR);
    await deleteSession(db, other.token);
    expect(await userBySessionToken(db, other.token, now)).toBeNull();
    expect((await userBySessionToken(db, session.token, now))?.id).toBe(user.id);
  });

  it("purges expired sessions only", async () => {
    const { db } = t();
    const user = await createUser(db, { email: email(), name: "Old", role: "student", password: "pw-pw-pw" }, 0);
    const far = 10 ** 12;
    const short = await createSession(db, user.id, far, 1);
    const long = await createSession(db, user.id, far, HOUR);
    expect(await deleteExpiredSessions(db, far + 2)).toBeGreaterThanOrEqual(1);
    expect(await userBySessionToken(db, short.token, far)).toBeNull();
    expect((await userBySessionToken(db, long.token, far + 2))?.id).toBe(user.id);
  });

  it.each([0, -1])("refuses a session TTL of %s ms", async (ttl) => {
    const { db } = t();
    const user = await createUser(db, { email: email(), name: "Ttl", role: "student", password: "pw-pw-pw" }, 0);
    await expect(createSession(db, user.id, 0, ttl)).rejects.toThrow(/Session TTL must be > 0 ms/);
  });
});
