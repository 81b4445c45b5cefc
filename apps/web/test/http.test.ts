import { openDb, type Db, type User } from "@stepwise/db";
import { openTestDb, createTestUser } from "@stepwise/db/testing";
import superjson from "superjson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authSecretOf } from "../src/server/auth";
import { handleTrpcRequest } from "../src/server/http";
import { SESSION_COOKIE, signSessionToken } from "../src/server/session";
import { testConfig, validPayload, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

const LIMIT = 64 * 1024;
const call = (req: Request) =>
  handleTrpcRequest(req, { db: () => Promise.resolve(w.db), config: testConfig, maxRequestBytes: LIMIT, now: w.clock.now });
const url = (path: string, origin = "http://localhost") => `${origin}/api/trpc/${path}`;

function get(path: string, input: unknown, cookie?: string): Request {
  return new Request(`${url(path)}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`, {
    headers: cookie ? { cookie } : {},
  });
}

function post(path: string, input: unknown, headers: Record<string, string> = {}, origin?: string): Request {
  return new Request(url(path, origin), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(superjson.serialize(input)),
  });
}

/** The cookie a browser would send for a fresh session of `user`. */
async function cookieFor(user: User): Promise<string> {
  return `${SESSION_COOKIE}=${await signSessionToken(await w.tokenFor(user), authSecretOf(testConfig))}`;
}

async function me(cookie: string): Promise<string | null> {
  const body = (await (await call(get("auth.me", undefined, cookie))).json()) as { result: { data: { json: { id: string } | null } } };
  return body.result.data.json?.id ?? null;
}

describe("the HTTP endpoint", () => {
  it("signs in over HTTP: better-auth's Set-Cookie is signed, httpOnly and SameSite=Lax, and the cookie authenticates later calls", async () => {
    const res = await call(post("auth.signIn", { email: "student@example.test", password: "student-password" }));
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^stepwise_session=[A-Za-z0-9]{32}\.[A-Za-z0-9%]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(await me(setCookie.split(";")[0] ?? "")).toBe(w.student.id);
  });

  it("sets a Secure __Secure- cookie over HTTPS, which is read back", async () => {
    const res = await call(
      post("auth.signIn", { email: "student@example.test", password: "student-password" }, {}, "https://stepwise.example"),
    );
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^__Secure-stepwise_session=[^;]+;.* Secure/);
    expect(await me(setCookie.split(";")[0] ?? "")).toBe(w.student.id);
  });

  it("treats a cookie holding a bare session token (no signature) as anonymous", async () => {
    expect(await me(`${SESSION_COOKIE}=${await w.tokenFor(w.student)}`)).toBeNull();
    expect(await me(await cookieFor(w.student))).toBe(w.student.id);
  });

  it("signs out over HTTP: the cookie is cleared and no longer works", async () => {
    const cookie = await cookieFor(w.student);
    const res = await call(post("auth.signOut", undefined, { cookie }));
    expect(res.headers.get("set-cookie")).toMatch(/^stepwise_session=; Max-Age=0/);
    expect(await me(cookie)).toBeNull();
  });

  it("answers a domain error with its code and message, and no stack or file path", async () => {
    const res = await call(get("course.byId", { courseId: w.courseId }, await cookieFor(w.outsider)));
    expect(res.status).toBe(403);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { json: { message: string; data: Record<string, unknown> } } };
    expect(body.error.json.message).toBe("You are not enrolled in this course.");
    expect(body.error.json.data.code).toBe("FORBIDDEN");
    expect(body.error.json.data).not.toHaveProperty("stack");
    expect(text).not.toMatch(/\/work\/|node_modules|\.ts:\d+/);
  });

  it("refuses bodies over the cap with 413 before parsing them", async () => {
    const huge = { assignmentId: w.assignment.id, payload: { ...validPayload(), answers: { pad: "x".repeat(LIMIT) } } };
    const res = await call(post("submission.create", huge, { cookie: await cookieFor(w.student) }));
    expect(res.status).toBe(413);
  });

  it("streams submission.watch as server-sent events", async () => {
    const caller = await w.as(w.student);
    const { submissionId } = await caller.submission.create({ assignmentId: w.assignment.id, payload: validPayload() });
    const controller = new AbortController();
    const req = get("submission.watch", { submissionId }, await cookieFor(w.student));
    const res = await call(new Request(req, { signal: controller.signal }));
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    let text = "";
    while (!text.includes('"queued"')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    controller.abort();
    await reader.cancel().catch(() => undefined);
    expect(text).toMatch(/"status":"queued","queuePosition":0/);
  });
});

describe("auth rate limits across app instances", () => {
  let instances: Db[] = [];
  let cleanup: () => Promise<void> = () => Promise.resolve();
  beforeEach(async () => {
    const t = await openTestDb("sqlite");
    // Two web instances: their own connections to one database, nothing shared in memory but the test.
    instances = [t.db, await openDb(t.url)];
    cleanup = async () => {
      await instances[1]?.close();
      await t.cleanup();
    };
    await createTestUser(t.db, { email: "ada@example.test", name: "Ada", role: "student", password: "ada-password" }, 0);
  });
  afterEach(() => cleanup());

  const on = (i: number, req: Request, trustedProxies = 1) => {
    const db = instances[i % 2];
    if (!db) throw new Error("no instance");
    return handleTrpcRequest(req, {
      db: () => Promise.resolve(db),
      config: testConfig,
      maxRequestBytes: LIMIT,
      now: w.clock.now,
      trustedProxies,
    });
  };
  const signIn = (password: string, forwardedFor: string) =>
    post("auth.signIn", { email: "ada@example.test", password }, { "x-forwarded-for": forwardedFor });
  const hits = () =>
    instances[0]?.kysely
      .withTables<{ rate_limit_hits: { key: string; count: number } }>()
      .selectFrom("rate_limit_hits")
      .select(["key", "count"])
      .orderBy("key")
      .execute();

  it("slows an e-mail after the limit however the attempts are spread over instances, counted in the database", async () => {
    const max = testConfig.authLimits.signInPerEmail;
    for (let i = 0; i < max + 1; i++) expect((await on(i, signIn("guess-guess", `198.51.100.${i}`))).status).toBe(401);
    const blocked = await on(max + 1, signIn("ada-password", "198.51.100.99"));
    expect(blocked.status).toBe(429);
    expect(((await blocked.json()) as { error: { json: { message: string } } }).error.json.message).toMatch(
      /Too many sign-in attempts for this email address/,
    );
    expect(await hits()).toContainEqual({ key: "signin:email:ada@example.test", count: max + 2 });
    expect(await hits()).toContainEqual({ key: "signin:slot:ada@example.test", count: 2 });
  });

  it("keys per-IP limits on the hop the trusted proxy appended, never on one the client forged", async () => {
    expect((await on(0, signIn("ada-password", "6.6.6.6, 203.0.113.9"), 1)).status).toBe(200);
    expect((await on(1, signIn("ada-password", "7.7.7.7, 203.0.113.9"), 1)).status).toBe(200);
    expect(await hits()).toContainEqual({ key: "signin:ip:203.0.113.9", count: 2 });
    // No trusted proxy: the header is ignored altogether.
    expect((await on(0, signIn("ada-password", "203.0.113.50"), 0)).status).toBe(200);
    expect((await hits())?.map((h) => h.key)).not.toContain("signin:ip:203.0.113.50");
    expect((await hits())?.map((h) => h.key)).not.toContain("signin:ip:6.6.6.6");
  });

  it("records the client IP it decided on the session better-auth creates", async () => {
    const res = await on(0, signIn("ada-password", "6.6.6.6, 203.0.113.9"), 1);
    const token = decodeURIComponent(/stepwise_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? "").split(".")[0] ?? "";
    expect(await instances[1]?.kysely.selectFrom("sessions").select("ip_address").where("token", "=", token).executeTakeFirst()).toEqual({
      ip_address: "203.0.113.9",
    });
  });
});
