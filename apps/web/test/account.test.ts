import { testDialects } from "@stepwise/db/testing";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PASSWORD_RESET_TTL_MS } from "../src/server/routers/auth";
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
    const caller = createCaller(
      await createContext({ db: w.db, config: testConfig, now: w.clock.now, sessionToken: token, resHeaders: headers }),
    );
    return { caller, headers };
  }
  const signIn = async (password: string) => (await on(null)).caller.auth.signIn({ email: "student@example.test", password });

  it("changes the password with the current one, and signs every other session out", async () => {
    const [laptop, phone] = [await w.tokenFor(w.student), await w.tokenFor(w.student)];
    const { caller } = await on(laptop);
    const change = { currentPassword: "student-password", password: "a-new-long-password", confirm: "a-new-long-password" };
    await expect(caller.auth.changePassword({ ...change, currentPassword: "wrong-password" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Your current password is wrong.",
    });
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

  /** Asks for a reset as the server does in development and returns the token it logged (or null). */
  async function requestReset(email: string): Promise<string | null> {
    const log = vi.spyOn(console, "info").mockImplementation(() => undefined);
    try {
      const caller = createCaller(await createContext({ db: w.db, config: { ...testConfig, logResetLinks: true }, now: w.clock.now }));
      expect(await caller.auth.requestPasswordReset({ email })).toEqual({ ok: true });
      const line = log.mock.calls.map((args) => String(args[0])).find((m) => m.includes("token="));
      return line ? (/token=([\w-]+)/.exec(line)?.[1] ?? null) : null;
    } finally {
      log.mockRestore();
    }
  }

  it("resets a password once with the logged link, signing every session out", async () => {
    const session = await w.tokenFor(w.student);
    const token = await requestReset("Student@example.test");
    if (!token) throw new Error("expected a reset link in the log");
    const reset = { token, password: "reset-long-password", confirm: "reset-long-password" };
    const { caller } = await on(null);
    expect(await caller.auth.resetPassword(reset)).toEqual({ ok: true });
    expect(await (await on(session)).caller.auth.me()).toBeNull();
    expect((await signIn("reset-long-password")).user.id).toBe(w.student.id);
    await expect(caller.auth.resetPassword({ ...reset, password: "another-long-one", confirm: "another-long-one" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/not valid/) as unknown,
    });
  });

  it("answers alike for unknown e-mails, and refuses an expired or made-up token", async () => {
    expect(await requestReset("nobody@example.test")).toBeNull();
    const token = await requestReset("student@example.test");
    if (!token) throw new Error("expected a reset link in the log");
    const { caller } = await on(null);
    await expect(
      caller.auth.resetPassword({ token: "made-up-token", password: "reset-long-password", confirm: "reset-long-password" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    w.clock.advance(PASSWORD_RESET_TTL_MS);
    await expect(
      caller.auth.resetPassword({ token, password: "reset-long-password", confirm: "reset-long-password" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await signIn("student-password")).user.id).toBe(w.student.id);
  });

  it("refuses anonymous callers", async () => {
    const { caller } = await on(null);
    await expect(caller.auth.sessions()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(
      caller.auth.changePassword({ currentPassword: "x", password: "a-new-long-password", confirm: "a-new-long-password" }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
