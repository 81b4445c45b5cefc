import { PreconditionError } from "@stepwise/core/contracts";
import { describe, expect, it } from "vitest";
import { createSession, createUser, deleteExpiredSessions, deleteSession, userBySessionToken, verifyPassword } from "../src/index";
import { testDialects } from "../src/testing";
import { useTestDb } from "./helpers";

const HOUR = 3_600_000;

describe.each(testDialects)("users and sessions on %s", (dialect) => {
  const t = useTestDb(dialect, "all");
  let n = 0;
  const email = () => `user${++n}-${dialect}@Example.test`;

  it("creates a user with a normalized email and never stores the password", async () => {
    const { db } = t();
    const address = email();
    const user = await createUser(db, { email: `  ${address} `, name: "Grace", role: "instructor", password: "hunter22" }, 10);
    expect(user).toMatchObject({ email: address.toLowerCase(), name: "Grace", role: "instructor", createdAt: 10 });
    const row = await db.kysely.selectFrom("users").selectAll().where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain("hunter22");
    await expect(createUser(db, { email: address.toUpperCase(), name: "Twin", role: "student", password: "x" }, 11)).rejects.toThrow(PreconditionError);
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

  it("resolves a session until it expires, and not after delete", async () => {
    const { db } = t();
    const user = await createUser(db, { email: email(), name: "Kim", role: "student", password: "pw-pw-pw" }, 0);
    const now = 1_000_000;
    const session = await createSession(db, user.id, now, HOUR);
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt).toBe(now + HOUR);
    const stored = await db.kysely.selectFrom("sessions").select("token_hash").where("user_id", "=", user.id).execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(session.token);

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
});
