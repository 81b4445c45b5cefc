import { createCourse, membership, setCourseArchived, userByEmail } from "@stepwise/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCaller } from "../src/server/root";
import { readCookie, SESSION_COOKIE } from "../src/server/session";
import { SIGNIN_SLOT_MS } from "../src/server/services/auth-limits";
import { createContext } from "../src/server/trpc";
import { testConfig, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

async function anonymous(opts: { headers?: Headers; ip?: string | null; cookie?: string | null } = {}) {
  return createCaller(
    await createContext({
      db: w.db,
      config: testConfig,
      now: w.clock.now,
      sessionCookie: opts.cookie ?? null,
      resHeaders: opts.headers,
      clientIp: opts.ip === undefined ? "203.0.113.7" : opts.ip,
    }),
  );
}

const signUp = { name: "Noor New", email: "Noor@Example.test", password: "long-enough-pw", confirm: "long-enough-pw" };

describe("auth.signUp", () => {
  it("creates a student, signs them in with a cookie, and the password works for sign-in", async () => {
    const headers = new Headers();
    const result = await (await anonymous({ headers })).auth.signUp(signUp);
    expect(result.user).toMatchObject({ name: "Noor New", email: "noor@example.test", role: "student" });
    const cookie = readCookie((headers.get("set-cookie") ?? "").split(";")[0] ?? "", SESSION_COOKIE);
    expect(await (await anonymous({ cookie })).auth.me()).toMatchObject({ id: result.user.id, role: "student" });
    // better-auth wrote the user (a student), its credential account and the session.
    expect(
      await w.db.kysely.selectFrom("users").select(["role", "email_verified"]).where("id", "=", result.user.id).executeTakeFirst(),
    ).toEqual({ role: "student", email_verified: 0 });
    expect(await w.db.kysely.selectFrom("accounts").select("provider_id").where("user_id", "=", result.user.id).execute()).toEqual([
      { provider_id: "credential" },
    ]);
    expect(await w.db.kysely.selectFrom("sessions").select("ip_address").where("user_id", "=", result.user.id).execute()).toEqual([
      { ip_address: "203.0.113.7" },
    ]);
    expect((await (await anonymous()).auth.signIn({ email: "noor@example.test", password: "long-enough-pw" })).user.id).toBe(
      result.user.id,
    );
  });

  it.each([
    ["a short password", { password: "short", confirm: "short" }, /at least 10 characters/],
    ["a mismatched confirmation", { confirm: "long-enough-pX" }, /do not match/],
    ["a malformed email", { email: "noor-at-example" }, /email address like/],
    ["an empty name", { name: "  " }, /Enter your name/],
  ])("rejects %s with BAD_REQUEST and creates nobody", async (_case, change, message) => {
    await expect((await anonymous()).auth.signUp({ ...signUp, ...change })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(message) as unknown,
    });
    expect(await userByEmail(w.db, "noor@example.test")).toBeNull();
  });

  it("refuses a role field: students cannot sign themselves up as instructors", async () => {
    await expect((await anonymous()).auth.signUp({ ...signUp, role: "instructor" } as typeof signUp)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("answers a duplicate email (any case) with CONFLICT and a clear message, without touching the account", async () => {
    const headers = new Headers();
    await expect((await anonymous({ headers })).auth.signUp({ ...signUp, email: "STUDENT@example.test" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "An account with this email already exists. Sign in instead, or use another email.",
    });
    expect(headers.get("set-cookie")).toBeNull();
    expect((await (await anonymous()).auth.signIn({ email: "student@example.test", password: "student-password" })).user.id).toBe(
      w.student.id,
    );
  });

  it("limits sign-ups per IP per window (stored in the database) and lets them through in the next window", async () => {
    const max = testConfig.authLimits.signUpPerIp;
    for (let i = 0; i < max; i++) await (await anonymous()).auth.signUp({ ...signUp, email: `n${i}@example.test` });
    await expect((await anonymous()).auth.signUp({ ...signUp, email: "late@example.test" })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/Too many sign-ups from your network: at most 3 per 15 minutes/) as unknown,
    });
    expect(await userByEmail(w.db, "late@example.test")).toBeNull();
    await (await anonymous({ ip: "198.51.100.1" })).auth.signUp({ ...signUp, email: "elsewhere@example.test" });
    w.clock.advance(testConfig.authLimits.windowMs);
    await (await anonymous()).auth.signUp({ ...signUp, email: "late@example.test" });
  });
});

describe("auth.signIn rate limits", () => {
  it("slows an email to one attempt per slot after too many attempts from many IPs, and the right password still gets in", async () => {
    const max = testConfig.authLimits.signInPerEmail;
    for (let i = 0; i < max; i++) {
      await expect(
        (await anonymous({ ip: `198.51.100.${i}` })).auth.signIn({ email: "student@example.test", password: "guess" }),
      ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    // Past the free attempts: the first attempt of a slot is checked, the next one in it is refused.
    await expect(
      (await anonymous({ ip: "198.51.100.98" })).auth.signIn({ email: "student@example.test", password: "guess" }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(
      (await anonymous({ ip: "198.51.100.99" })).auth.signIn({ email: "student@example.test", password: "student-password" }),
    ).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/for this email address: one attempt per 5 seconds for now\. Try again in 5 seconds/) as unknown,
    });
    w.clock.advance(SIGNIN_SLOT_MS);
    expect(
      (await (await anonymous({ ip: "198.51.100.99" })).auth.signIn({ email: "student@example.test", password: "student-password" })).user
        .id,
    ).toBe(w.student.id);
  });

  it("never lets a stranger's wrong passwords from one IP lock the owner out on another", async () => {
    const stranger = () =>
      anonymous({ ip: "203.0.113.66" }).then((c) => c.auth.signIn({ email: "student@example.test", password: "guess" }));
    for (let i = 0; i < testConfig.authLimits.signInPerEmail; i++) await expect(stranger()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    for (let i = 0; i < 6; i++) {
      await expect(stranger()).rejects.toMatchObject({
        code: "TOO_MANY_REQUESTS",
        message: expect.stringMatching(/for this email address from your network/) as unknown,
      });
    }
    expect(
      (await (await anonymous({ ip: "192.0.2.7" })).auth.signIn({ email: "student@example.test", password: "student-password" })).user.id,
    ).toBe(w.student.id);
  });

  it("without a known IP, slows guessing on an email but lets the right password in once its slot comes", async () => {
    const attempt = (password: string) => anonymous({ ip: null }).then((c) => c.auth.signIn({ email: "student@example.test", password }));
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) {
      codes.push(
        await attempt("guess").then(
          () => "OK",
          (error: { code: string }) => error.code,
        ),
      );
      w.clock.advance(1_000);
    }
    // One a second for 20 s: the 5 free attempts, then one checked guess per 5-second slot (at 5, 10 and 15 s).
    expect(codes.filter((c) => c === "UNAUTHORIZED")).toHaveLength(8);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(12);
    await expect(attempt("guess")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(attempt("student-password")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    w.clock.advance(SIGNIN_SLOT_MS);
    expect((await attempt("student-password")).user.id).toBe(w.student.id);
  });

  it("blocks one IP spraying many emails, while another IP still signs in", async () => {
    const max = testConfig.authLimits.signInPerIp;
    for (let i = 0; i < max; i++) {
      await expect((await anonymous()).auth.signIn({ email: `victim${i}@example.test`, password: "guess" })).rejects.toMatchObject({
        code: "UNAUTHORIZED",
      });
    }
    await expect((await anonymous()).auth.signIn({ email: "student@example.test", password: "student-password" })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/from your network/) as unknown,
    });
    expect(
      (await (await anonymous({ ip: "192.0.2.1" })).auth.signIn({ email: "student@example.test", password: "student-password" })).user.id,
    ).toBe(w.student.id);
  });

  it("forgives earlier failures on an email after a successful sign-in", async () => {
    const max = testConfig.authLimits.signInPerEmail;
    const attempt = (password: string, i: number) =>
      anonymous({ ip: `198.51.100.${i}` }).then((c) => c.auth.signIn({ email: "student@example.test", password }));
    for (let i = 0; i < max - 1; i++) await expect(attempt("guess", i)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await attempt("student-password", 50);
    for (let i = 0; i < max - 1; i++) await expect(attempt("guess", 60 + i)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("course.join", () => {
  it("enrolls a signed-up student with a join code (any case, spaces trimmed), idempotently", async () => {
    const course = await createCourse(w.db, { title: "Join me", joinCode: "JOIN-2026" }, w.clock.now());
    const headers = new Headers();
    const { user } = await (await anonymous({ headers })).auth.signUp(signUp);
    const cookie = readCookie((headers.get("set-cookie") ?? "").split(";")[0] ?? "", SESSION_COOKIE);
    const caller = await anonymous({ cookie });
    expect(await caller.course.join({ code: " join-2026 " })).toEqual({
      course: { id: course.id, title: "Join me" },
      role: "student",
      alreadyEnrolled: false,
    });
    expect(await caller.course.join({ code: "JOIN-2026" })).toMatchObject({ alreadyEnrolled: true, role: "student" });
    expect(await membership(w.db, course.id, user.id)).toBe("student");
    expect((await caller.course.list()).map((c) => c.id)).toEqual([course.id]);
  });

  it("keeps an instructor an instructor when they use their own course's code", async () => {
    const courses = await (await w.as(w.instructor)).course.list();
    const own = courses[0];
    if (!own) throw new Error("the instructor has no course");
    const row = await w.db.kysely.selectFrom("courses").select("join_code").where("id", "=", own.id).executeTakeFirstOrThrow();
    expect(await (await w.as(w.instructor)).course.join({ code: row.join_code })).toMatchObject({
      role: "instructor",
      alreadyEnrolled: true,
    });
    expect(await membership(w.db, own.id, w.instructor.id)).toBe("instructor");
  });

  it.each([
    ["a wrong code", "NOPE-0000", "NOT_FOUND", /No course has the join code "NOPE-0000"/],
    ["an empty code", "   ", "BAD_REQUEST", /Enter the join code/],
  ])("answers %s with %s", async (_case, code, expected, message) => {
    await expect((await w.as(w.outsider)).course.join({ code })).rejects.toMatchObject({
      code: expected,
      message: expect.stringMatching(message) as unknown,
    });
  });

  it("refuses an archived course to new students", async () => {
    const course = await createCourse(w.db, { title: "Old", joinCode: "OLD-1999" }, w.clock.now());
    await setCourseArchived(w.db, course.id, true);
    await expect((await w.as(w.outsider)).course.join({ code: "OLD-1999" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });

  it("needs a session, and limits code guessing per user", async () => {
    await expect((await anonymous()).course.join({ code: "X" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const caller = await w.as(w.outsider);
    for (let i = 0; i < testConfig.authLimits.joinPerUser; i++)
      await expect(caller.course.join({ code: `GUESS-${i}` })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.course.join({ code: "GUESS-X" })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });
});
