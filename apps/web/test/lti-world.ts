import type { Db } from "@stepwise/db";
import { type Fixture, openTestDb, seedCourse, type TestDb } from "@stepwise/db/testing";
import { registerPlatform } from "@stepwise/db/lti";
import type { Dialect } from "@stepwise/db";
import { ROLE, TestPlatform, type TestUser } from "@stepwise/lti/testing";
import { type LtiDeps, serviceClients, toolJwks } from "../src/server/lti/deps";
import { handleEnter, handleLaunch, handleLogin, STATE_COOKIE } from "../src/server/lti/launch";
import { handleDeepLink } from "../src/server/lti/deep-link";
import { CLAIM } from "@stepwise/lti";
import { expect } from "vitest";

/** The tool's origin in these tests: handlers are called in-process with Requests addressed to it. */
export const TOOL = "http://tool.test";

export interface LtiWorld {
  test: TestDb;
  db: Db;
  fixture: Fixture;
  platform: TestPlatform;
  deps: LtiDeps;
  /** Moves the tool's clock (backoffs, token expiry); the platform keeps real time. */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** A seeded course, a running test platform registered as trusted for e-mail, and the tool's dependencies. */
export async function ltiWorld(dialect: Dialect): Promise<LtiWorld> {
  const test = await openTestDb(dialect);
  const db = test.db;
  const fixture = await seedCourse(db, Date.now());
  let offset = 0;
  const clock = () => Date.now() + offset;
  const platform = await new TestPlatform({ toolJwks: () => toolJwks(db, clock()) }).start();
  platform.addUser({ sub: "lms-teacher", name: fixture.instructor.name, email: fixture.instructor.email, roles: [ROLE.instructor] });
  await registerPlatform(db, { ...platform.registration, trustEmail: true }, { registeredBy: null, now: clock() });
  const fetchFn = (input: string, init?: RequestInit) => fetch(input, init);
  const deps: LtiDeps = {
    db,
    clock,
    fetch: fetchFn,
    ...serviceClients(db, fetchFn, clock),
    trustedProxies: 0,
    authSecret: "x".repeat(32),
    sessionTtlMs: 3_600_000,
  };
  return {
    test,
    db,
    fixture,
    platform,
    deps,
    advance: (ms) => (offset += ms),
    close: async () => {
      await platform.stop();
      await test.cleanup();
    },
  };
}

export const student = (sub: string, name = `Student ${sub}`): TestUser => ({ sub, name, email: `${sub}@lms.test`, roles: [ROLE.learner] });

/** Step 1 of a launch: the login initiation, as the LMS's browser redirect sends it. */
export async function initiate(w: LtiWorld, user: TestUser, hint: Record<string, unknown> = {}) {
  const res = await handleLogin(new Request(w.platform.loginInitiationUrl(`${TOOL}/api/lti/login`, user, hint)), w.deps);
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`login initiation answered ${res.status}: ${await res.text()}`);
  const auth = new URL(location);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return { auth, cookie, state: auth.searchParams.get("state") ?? "", nonce: auth.searchParams.get("nonce") ?? "" };
}

/** Posts an id_token and state to the launch endpoint as a framed form post. */
export function postLaunch(
  w: LtiWorld,
  input: { idToken: string; state: string; cookie?: string; dest?: "iframe" | "document" },
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", "sec-fetch-dest": input.dest ?? "iframe" };
  if (input.cookie) headers.cookie = input.cookie;
  return handleLaunch(
    new Request(`${TOOL}/api/lti/launch`, {
      method: "POST",
      headers,
      body: new URLSearchParams({ id_token: input.idToken, state: input.state }).toString(),
    }),
    w.deps,
  );
}

/** A whole launch through the platform's auth endpoint; returns the launch response. */
export async function launch(
  w: LtiWorld,
  user: TestUser,
  hint: Record<string, unknown> = {},
  options: { withCookie?: boolean } = {},
): Promise<Response> {
  const { auth, cookie } = await initiate(w, user, hint);
  const page = await (await fetch(auth)).text();
  const idToken = /name="id_token" value="([^"]+)"/.exec(page)?.[1] ?? "";
  const state = /name="state" value="([^"]+)"/.exec(page)?.[1] ?? "";
  return postLaunch(w, { idToken, state, ...(options.withCookie === false ? {} : { cookie }) });
}

/** Follows the framed page's "Open Stepwise" link: the session cookie set and where it leads. */
export async function enter(w: LtiWorld, launched: Response): Promise<{ location: string; cookie: string }> {
  const page = await launched.text();
  const href = /id="open" href="([^"]+)"/.exec(page)?.[1]?.replace(/&#38;/g, "&");
  if (!href) throw new Error(`no "Open Stepwise" link in: ${page}`);
  const res = await handleEnter(new Request(href), w.deps);
  return { location: res.headers.get("location") ?? "", cookie: res.headers.get("set-cookie") ?? "" };
}

/** The deep-linking round trip: the instructor picks the fixture's assignment; returns the LMS's new link's custom claims and line item. */
export async function deepLink(w: LtiWorld): Promise<{ custom: Record<string, string>; lineItem: string }> {
  const teacher = w.platform.users.get("lms-teacher");
  if (!teacher) throw new Error("no teacher");
  const picker = await launch(w, teacher, { message: "LtiDeepLinkingRequest" });
  const page = await picker.text();
  expect(page).toContain(w.fixture.assignment.title);
  const token = /name="token" value="([^"]+)"/.exec(page)?.[1] ?? "";
  const form = new URLSearchParams({ token, assignment: w.fixture.assignment.id });
  const answer = await handleDeepLink(new Request(`${TOOL}/api/lti/deep-link`, { method: "POST", body: form.toString() }), w.deps);
  const back = await answer.text();
  const action = /form method="post" action="([^"]+)"/.exec(back)?.[1] ?? "";
  const jwt = /name="JWT" value="([^"]+)"/.exec(back)?.[1] ?? "";
  const returned = await fetch(action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ JWT: jwt }).toString(),
  });
  expect(returned.status).toBe(200);
  const response = w.platform.deepLinkResponses.at(-1) ?? {};
  expect(response[CLAIM.deepLinkingData]).toBe("opaque-42");
  const [item] = response[CLAIM.deepLinkingContentItems] as Array<{
    custom: Record<string, string>;
    lineItem: { scoreMaximum: number; label: string; resourceId: string };
  }>;
  if (!item) throw new Error("no content item");
  expect(item.lineItem).toEqual({ scoreMaximum: 100, label: w.fixture.assignment.title, resourceId: w.fixture.assignment.id });
  return { custom: item.custom, lineItem: w.platform.addLineItem(item.lineItem) };
}

export { STATE_COOKIE };
