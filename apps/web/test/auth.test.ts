import { scrypt, randomBytes } from "node:crypto";
import { LEGACY_HASH_PREFIX, verifyPassword } from "@stepwise/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedDemo } from "../src/server/seed";
import { createContext, type ContextInput } from "../src/server/trpc";
import { createCaller } from "../src/server/root";
import { SESSION_COOKIE, signSessionToken } from "../src/server/session";
import { testConfig, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

async function caller(input: Partial<ContextInput> = {}) {
  return createCaller(await createContext({ db: w.db, config: testConfig, now: w.clock.now, ...input }));
}

/** Signs in through the procedure and returns the `Set-Cookie` header and the cookie's value. */
async function signIn(email = "student@example.test", password = "student-password", input: Partial<ContextInput> = {}) {
  const resHeaders = new Headers();
  const result = await (await caller({ resHeaders, ...input })).auth.signIn({ email, password });
  const setCookie = resHeaders.get("set-cookie") ?? "";
  const value = /^(?:__Secure-)?stepwise_session=([^;]*)/.exec(setCookie)?.[1] ?? "";
  return { result, setCookie, value };
}

/** The cookie value with the character at `i` (of its decoded form) replaced by another. */
function flip(value: string, i: number): string {
  const decoded = decodeURIComponent(value);
  return encodeURIComponent(`${decoded.slice(0, i)}${decoded[i] === "A" ? "B" : "A"}${decoded.slice(i + 1)}`);
}

const sessionRows = (token: string) => w.db.kysely.selectFrom("sessions").selectAll().where("token", "=", token).execute();

describe("auth.signIn", () => {
  it("signs in with the right password: better-auth's signed, httpOnly, Lax session cookie identifies the user", async () => {
    const { result, setCookie, value } = await signIn("Student@Example.test");
    expect(result.user).toMatchObject({ id: w.student.id, name: "student", role: "student" });
    expect(setCookie).toBe(`${SESSION_COOKIE}=${value}; Max-Age=${testConfig.sessionTtlMs / 1000}; Path=/; HttpOnly; SameSite=Lax`);
    const [token, signature] = decodeURIComponent(value).split(".");
    expect(signature).toHaveLength(44);
    expect(await sessionRows(token ?? "")).toEqual([expect.objectContaining({ user_id: w.student.id })]);
    expect(await (await caller({ sessionCookie: value })).auth.me()).toMatchObject({ id: w.student.id });
    // In-process callers may pass the cookie's value as their trusted token too; its signature is still checked.
    expect(await (await caller({ sessionToken: value })).auth.me()).toMatchObject({ id: w.student.id });
    expect(await (await caller({ sessionToken: flip(value, 3) })).auth.me()).toBeNull();
  });

  it("marks the cookie Secure (and __Secure-) when the request came over HTTPS", async () => {
    const { setCookie, value } = await signIn(undefined, undefined, { secureCookies: true });
    expect(setCookie).toMatch(/^__Secure-stepwise_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(await (await caller({ sessionCookie: value })).auth.me()).toMatchObject({ id: w.student.id });
  });

  it.each([
    ["wrong password", "student@example.test", "not-the-password"],
    ["unknown email", "nobody@example.test", "student-password"],
  ])("rejects a %s with UNAUTHORIZED, one message, and no cookie", async (_case, email, password) => {
    const resHeaders = new Headers();
    await expect((await caller({ resHeaders })).auth.signIn({ email, password })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Wrong email or password.",
    });
    expect(resHeaders.get("set-cookie")).toBeNull();
  });

  it("spends about as long on an unknown email as on a wrong password (the password is hashed either way)", async () => {
    const time = async (email: string, ip: string) => {
      const started = performance.now();
      await (await caller({ clientIp: ip })).auth.signIn({ email, password: "not-the-password" }).catch(() => undefined);
      return performance.now() - started;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] ?? 0;
    const wrong = median([
      await time("student@example.test", "192.0.2.1"),
      await time("other@example.test", "192.0.2.2"),
      await time("outsider@example.test", "192.0.2.3"),
    ]);
    const unknown = median([
      await time("ghost1@example.test", "192.0.2.4"),
      await time("ghost2@example.test", "192.0.2.5"),
      await time("ghost3@example.test", "192.0.2.6"),
    ]);
    // Without the dummy hash an unknown email answers in a millisecond or two; a hash takes ~100 ms.
    expect(unknown).toBeGreaterThan(wrong * 0.4);
  });

  it("signs in a user whose password hash predates better-auth, and re-hashes it in better-auth's format", async () => {
    const salt = randomBytes(16);
    const key = await new Promise<Buffer>((resolve, reject) => scrypt("legacy-password", salt, 64, (e, k) => (e ? reject(e) : resolve(k))));
    const legacy = `${LEGACY_HASH_PREFIX}${salt.toString("hex")}$${key.toString("hex")}`;
    await w.db.kysely.updateTable("accounts").set({ password: legacy }).where("user_id", "=", w.other.id).execute();

    expect((await signIn("other@example.test", "legacy-password")).result.user.id).toBe(w.other.id);
    const stored = await w.db.kysely.selectFrom("accounts").select("password").where("user_id", "=", w.other.id).executeTakeFirstOrThrow();
    expect(stored.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    expect((await signIn("other@example.test", "legacy-password")).result.user.id).toBe(w.other.id);
  });

  it("signs in the demo accounts after the seed", async () => {
    const demo = await seedDemo(w.db, w.clock.now());
    expect((await signIn(demo.student.email, demo.student.password)).result.user).toMatchObject({
      email: demo.student.email,
      role: "student",
    });
    expect((await signIn(demo.instructor.email, demo.instructor.password)).result.user).toMatchObject({
      email: demo.instructor.email,
      role: "instructor",
    });
  });
});

describe("sessions", () => {
  it("signOut deletes the session row and clears the cookie", async () => {
    const { value } = await signIn();
    const token = decodeURIComponent(value).split(".")[0] ?? "";
    const out = new Headers();
    await (await caller({ sessionCookie: value, resHeaders: out })).auth.signOut();
    expect(out.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`));
    expect(await sessionRows(token)).toEqual([]);
    expect(await (await caller({ sessionCookie: value })).auth.me()).toBeNull();
  });

  it("signOut without a session only clears the cookie", async () => {
    const out = new Headers();
    await (await caller({ resHeaders: out })).auth.signOut();
    expect(out.get("set-cookie")).toMatch(/Max-Age=0/);
  });

  it("an expired session is anonymous, whether better-auth or createSession made it", async () => {
    const token = await w.tokenFor(w.student);
    expect(await (await caller({ sessionToken: token })).auth.me()).toMatchObject({ id: w.student.id });
    const { value } = await signIn();
    const row = await w.db.kysely
      .selectFrom("sessions")
      .select("expires_at")
      .where("token", "=", decodeURIComponent(value).split(".")[0] ?? "")
      .executeTakeFirstOrThrow();

    w.clock.advance(testConfig.sessionTtlMs + 1);
    const anonymous = await caller({ sessionToken: token });
    expect(await anonymous.auth.me()).toBeNull();
    await expect(anonymous.course.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    const at = (ms: number) => caller({ sessionCookie: value, now: () => ms }).then((c) => c.auth.me());
    expect(await at(row.expires_at - 1)).toMatchObject({ id: w.student.id });
    expect(await at(row.expires_at)).toBeNull();
  });

  it.each([
    ["a changed token", (v: string) => flip(v, 0)],
    ["a changed signature", (v: string) => flip(v, decodeURIComponent(v).length - 10)],
    ["the bare token without its signature", (v: string) => decodeURIComponent(v).split(".")[0] ?? ""],
    ["garbage", () => "not-a-cookie"],
  ])("refuses a tampered cookie: %s", async (_case, tamper) => {
    const { value } = await signIn();
    const forged = tamper(value);
    expect(forged).not.toBe(value);
    expect(await (await caller({ sessionCookie: forged })).auth.me()).toBeNull();
  });

  it("refuses a cookie signed with another secret, though its token is a live session", async () => {
    const { value } = await signIn();
    const token = decodeURIComponent(value).split(".")[0] ?? "";
    const foreign = await signSessionToken(token, "some-other-secret-of-at-least-32-characters");
    expect(await (await caller({ sessionCookie: foreign })).auth.me()).toBeNull();
    // In-process callers may hand over the bare token itself.
    expect(await (await caller({ sessionToken: token })).auth.me()).toMatchObject({ id: w.student.id });
  });

  it("keeps the password out of every table", async () => {
    await (
      await caller()
    ).auth.signUp({ name: "Pat", email: "pat@example.test", password: "unique-passphrase-42", confirm: "unique-passphrase-42" });
    for (const table of ["users", "accounts", "sessions"] as const) {
      expect(JSON.stringify(await w.db.kysely.selectFrom(table).selectAll().execute())).not.toContain("unique-passphrase-42");
    }
    expect(await verifyPassword(w.db, "pat@example.test", "unique-passphrase-42")).toMatchObject({ role: "student" });
  });
});
