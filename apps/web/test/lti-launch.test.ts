import { membership, userById, userBySessionToken } from "@stepwise/db";
import { linkMember, registerPlatform } from "@stepwise/db/lti";
import { testDialects } from "@stepwise/db/testing";
import { generateKeyPair } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deepLink, enter, initiate, launch, type LtiWorld, ltiWorld, postLaunch, student, TOOL } from "./lti-world";

const forger = await generateKeyPair("RS256");

describe.each(testDialects)("LTI launch on %s", (dialect) => {
  let w: LtiWorld;
  beforeEach(async () => {
    w = await ltiWorld(dialect);
  });
  afterEach(() => w.close());

  it("deep linking, then a student's framed launch makes an account and an enrolment and opens the assignment", async () => {
    const { custom, lineItem } = await deepLink(w);
    const sam = w.platform.addUser(student("sam", "Sam Learner"));
    const launched = await launch(w, sam, { custom, lineItem, resourceLinkId: "link-7" });
    expect(launched.status).toBe(200);
    expect(launched.headers.get("content-security-policy")).toMatch(/frame-ancestors https: http:\/\/127\.0\.0\.1:\d+/);
    const { location, cookie } = await enter(w, launched);
    expect(location).toBe(`${TOOL}/courses/${w.fixture.course.id}/assignments/${w.fixture.assignment.id}`);
    expect(cookie).toMatch(/^stepwise_session=.*HttpOnly; SameSite=Lax/);
    const token = decodeURIComponent(/stepwise_session=([^;]+)/.exec(cookie)?.[1] ?? "").split(".")[0] ?? "";
    const user = await userBySessionToken(w.db, token, w.deps.clock());
    expect(user).toMatchObject({ name: "Sam Learner", email: "sam@lms.test", role: "student" });
    expect(await membership(w.db, w.fixture.course.id, user?.id ?? "")).toBe("student");
    // The hand-over works once.
    await expect(enter(w, await launch(w, sam, { custom, lineItem, resourceLinkId: "link-7" }))).resolves.toMatchObject({ location });
  });

  it("a student cannot connect an LMS course; an instructor's first launch connects it to a new course they teach", async () => {
    const sam = w.platform.addUser(student("sam"));
    const refused = await launch(w, sam);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("not connected to Stepwise yet");
    const teacher = w.platform.users.get("lms-teacher");
    if (!teacher) throw new Error("no teacher");
    const { location } = await enter(w, await launch(w, teacher));
    const courseId = /\/teach\/([^/]+)$/.exec(location)?.[1] ?? "";
    expect(await membership(w.db, courseId, w.fixture.instructor.id)).toBe("instructor");
    const { location: studentLocation } = await enter(w, await launch(w, sam));
    expect(studentLocation).toBe(`${TOOL}/courses/${courseId}`);
  });

  it("on an LMS an instructor registered, an LMS instructor with that instructor's address is that instructor; nobody else is linked", async () => {
    const now = w.deps.clock();
    const lms = "https://lms.by-instructor.test";
    const platform = await registerPlatform(
      w.db,
      { issuer: lms, clientId: "c1", deploymentIds: ["d1"], authUrl: `${lms}/auth`, tokenUrl: `${lms}/token`, jwksUrl: `${lms}/jwks` },
      { registeredBy: w.fixture.instructor.id, now },
    );
    const { instructor, student: enrolled } = w.fixture;
    expect(await linkMember(w.db, platform, { sub: "t1", name: "T", email: instructor.email.toUpperCase(), role: "instructor" }, now)).toBe(
      instructor.id,
    );
    // The registrant's address on an LMS student, and another user's address, make accounts of their own.
    expect(await linkMember(w.db, platform, { sub: "s1", name: "S", email: instructor.email, role: "student" }, now)).not.toBe(
      instructor.id,
    );
    expect(await linkMember(w.db, platform, { sub: "s2", name: "S", email: enrolled.email, role: "instructor" }, now)).not.toBe(
      enrolled.id,
    );
  });

  it.each([
    ["a forged signature", { signWith: forger.privateKey }, "bad_signature"],
    ["another audience", { overrides: { aud: "another-tool", azp: "another-tool" } }, "wrong_audience"],
    [
      "an expired token",
      { overrides: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 4000 } },
      "expired",
    ],
  ] as const)("refuses an id_token with %s", async (_what, variant, code) => {
    const sam = w.platform.addUser(student("sam"));
    const { state, nonce, cookie } = await initiate(w, sam);
    const idToken = await w.platform.idToken({ user: sam, nonce, ...variant });
    const res = await postLaunch(w, { idToken, state, cookie });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`data-code="${code}"`);
  });

  it("refuses a replayed launch, and a state that belongs to another browser", async () => {
    const sam = w.platform.addUser(student("sam"));
    const teacher = w.platform.users.get("lms-teacher");
    if (!teacher) throw new Error("no teacher");
    const { state, nonce, cookie } = await initiate(w, teacher);
    const idToken = await w.platform.idToken({ user: teacher, nonce });
    expect((await postLaunch(w, { idToken, state, cookie })).status).toBe(200);
    const replay = await postLaunch(w, { idToken, state, cookie });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('data-code="replayed"');
    const other = await initiate(w, sam);
    const mine = await initiate(w, sam);
    const crossed = await postLaunch(w, {
      idToken: await w.platform.idToken({ user: sam, nonce: mine.nonce }),
      state: mine.state,
      cookie: other.cookie,
    });
    expect(await crossed.text()).toContain('data-code="bad_state"');
    expect(await userById(w.db, w.fixture.student.id)).not.toBeNull();
  });
});
