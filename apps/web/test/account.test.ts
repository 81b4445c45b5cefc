import { testDialects } from "@stepwise/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "../src/server/root";
import { createContext } from "../src/server/trpc";
import { testConfig, world, type World } from "./helpers";

describe.each(testDialects)("account security (%s)", (dialect) => {
  let w: World;
  beforeEach(async () => {
    w = await world(dialect);
  });
  afterEach(async () => {
    await w.cleanup();
  });

  /** A caller on an existing session token, with the response headers it writes. */
  async function on(token: string | null) {
    const headers = new Headers();
    const caller = createCaller(await createContext({ db: w.db, config: testConfig, now: w.clock.now, sessionToken: token, resHeaders: headers }));
    return { caller, headers };
  }
  const signIn = async (password: string) => (await on(null)).caller.auth.signIn({ email: "student@example.test", password });

  it("changes the password with the current one, and signs every other session out", async () => {
    const [laptop, phone] = [await w.tokenFor(w.student), await w.tokenFor(w.student)];
    const { caller } = await on(laptop);
    const change = { currentPassword: "student-password", password: "a-new-long-password", confirm: "a-new-long-password" };
    await expect(caller.auth.changePassword({ ...change, currentPassword: "wrong-password" })).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "Your current password is wrong." });
    await expect(caller.auth.changePassword({ ...change, confirm: "something-else" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await caller.auth.changePassword(change)).toEqual({ ok: true });
    expect(await (await on(laptop)).caller.auth.me()).toMatchObject({ id: w.student.id });
    expect(await (await on(phone)).caller.auth.me()).toBeNull();
    await expect(signIn("student-password")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await signIn("a-new-long-password")).user.id).toBe(w.student.id);
  });

  it("lists the caller's sessions without their tokens, and revokes one of them", async () => {
    const [laptop, phone] = [await w.tokenFor(w.student), await w.tokenFor(w.student)];
    const otherUsers = await w.tokenFor(w.other);
    const { caller } = await on(laptop);
    const sessions = await caller.auth.sessions();
    expect(sessions).toHaveLength(2);
    expect(JSON.stringify(sessions)).not.toContain(phone);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const other = sessions.find((s) => !s.current);
    if (!other) throw new Error("expected a second session");
    expect(await caller.auth.revokeSession({ sessionId: other.id })).toEqual({ ok: true });
    expect(await (await on(phone)).caller.auth.me()).toBeNull();
    expect(await (await on(laptop)).caller.auth.me()).toMatchObject({ id: w.student.id });
    // Another user's session is not the caller's to see or end.
    const theirs = (await (await on(otherUsers)).caller.auth.sessions())[0];
    if (!theirs) throw new Error("expected the other user's session");
    await expect(caller.auth.revokeSession({ sessionId: theirs.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await (await on(otherUsers)).caller.auth.me()).toMatchObject({ id: w.other.id });
  });

  it("refuses anonymous callers", async () => {
    const { caller } = await on(null);
    await expect(caller.auth.sessions()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.auth.changePassword({ currentPassword: "x", password: "a-new-long-password", confirm: "a-new-long-password" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
