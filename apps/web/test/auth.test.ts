import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createContext } from "../src/server/trpc";
import { createCaller } from "../src/server/root";
import { readCookie, SESSION_COOKIE } from "../src/server/session";
import { testConfig, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

async function anonymous(resHeaders: Headers, sessionToken: string | null = null) {
  return createCaller(await createContext({ db: w.db, config: testConfig, now: w.clock.now, sessionToken, resHeaders }));
}

describe("auth", () => {
  it("signs in with the right password, sets an httpOnly Lax cookie, and the cookie identifies the user", async () => {
    const headers = new Headers();
    const result = await (await anonymous(headers)).auth.signIn({ email: "Student@Example.test", password: "student-password" });
    expect(result.user).toMatchObject({ id: w.student.id, name: "student", role: "student" });
    const cookie = headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(new RegExp(`Expires=${new Date(w.clock.now() + testConfig.sessionTtlMs).toUTCString()}`));
    const token = readCookie(cookie.split(";")[0] ?? "", SESSION_COOKIE);
    expect(token).toBeTruthy();
    expect(await (await anonymous(new Headers(), token)).auth.me()).toMatchObject({ id: w.student.id });
  });

  it.each([
    ["wrong password", "student@example.test", "not-the-password"],
    ["unknown email", "nobody@example.test", "student-password"],
  ])("rejects a %s with UNAUTHORIZED and no cookie", async (_case, email, password) => {
    const headers = new Headers();
    await expect((await anonymous(headers)).auth.signIn({ email, password })).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Wrong email or password." });
    expect(headers.get("set-cookie")).toBeNull();
  });

  it("signOut deletes the session and clears the cookie", async () => {
    const headers = new Headers();
    await (await anonymous(headers)).auth.signIn({ email: "student@example.test", password: "student-password" });
    const token = readCookie((headers.get("set-cookie") ?? "").split(";")[0] ?? "", SESSION_COOKIE);
    const out = new Headers();
    await (await anonymous(out, token)).auth.signOut();
    expect(out.get("set-cookie")).toMatch(/Max-Age=0/);
    expect(await (await anonymous(new Headers(), token)).auth.me()).toBeNull();
  });

  it("an expired session is anonymous", async () => {
    const token = await w.tokenFor(w.student);
    expect(await (await anonymous(new Headers(), token)).auth.me()).toMatchObject({ id: w.student.id });
    w.clock.advance(testConfig.sessionTtlMs + 1);
    const caller = await anonymous(new Headers(), token);
    expect(await caller.auth.me()).toBeNull();
    await expect(caller.course.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
