import { createHash } from "node:crypto";
import { issueLaunchToken, listPlatforms } from "@stepwise/db/lti";
import { testDialects } from "@stepwise/db/testing";
import { TestPlatform } from "@stepwise/lti/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toolJwks } from "../src/server/lti/deps";
import { handleLogin } from "../src/server/lti/launch";
import { handleDynamicRegistration, REGISTRATION_LINK_TTL_MS } from "../src/server/lti/registration";
import { type LtiWorld, ltiWorld, student, TOOL } from "./lti-world";

describe.each(testDialects)("LTI dynamic registration on %s", (dialect) => {
  let w: LtiWorld;
  let lms: TestPlatform;
  beforeEach(async () => {
    w = await ltiWorld(dialect);
    lms = await new TestPlatform({
      toolJwks: () => toolJwks(w.db, w.deps.clock()),
      clientId: "dyn-client",
      deploymentId: "dyn-deployment",
    }).start();
  });
  afterEach(async () => {
    await lms.stop();
    await w.close();
  });

  /** The registration URL an instructor's link becomes once the LMS has added its parameters. */
  async function openedByLms(): Promise<string> {
    const token = await issueLaunchToken(w.db, {
      kind: "registration",
      userId: w.fixture.instructor.id,
      payload: {},
      now: w.deps.clock(),
      ttlMs: REGISTRATION_LINK_TTL_MS,
    });
    return lms.registrationInitiationUrl(`${TOOL}/api/lti/register?token=${token}`);
  }

  it("registers the LMS as the instructor's from their one-time link, then tells the LMS to close", async () => {
    const url = await openedByLms();
    const res = await handleDynamicRegistration(new Request(url), w.deps);
    const page = await res.text();
    expect(res.status, page).toBe(200);
    const script = /<script>(.*)<\/script>/.exec(page)?.[1] ?? "";
    expect(script).toContain('postMessage({ subject: "org.imsglobal.lti.close" }');
    expect(res.headers.get("content-security-policy")).toContain(
      `script-src 'sha256-${createHash("sha256").update(script).digest("base64")}'`,
    );
    expect(lms.toolRegistrations).toHaveLength(1);
    expect(lms.toolRegistrations[0]).toMatchObject({
      initiate_login_uri: `${TOOL}/api/lti/login`,
      redirect_uris: [`${TOOL}/api/lti/launch`],
      jwks_uri: `${TOOL}/api/lti/jwks`,
      token_endpoint_auth_method: "private_key_jwt",
    });
    expect(await listPlatforms(w.db, w.fixture.instructor.id)).toEqual([
      // The platform assigned these; the registration endpoint's answer is what we stored.
      expect.objectContaining({
        ...lms.registration,
        clientId: "dyn-client",
        deploymentIds: ["dyn-deployment"],
        registeredBy: w.fixture.instructor.id,
        trustEmail: false,
      }),
    ]);
    // The stored registration launches: the login initiation goes to this LMS's auth endpoint.
    const login = await handleLogin(new Request(lms.loginInitiationUrl(`${TOOL}/api/lti/login`, student("sam"))), w.deps);
    expect(login.headers.get("location")).toMatch(new RegExp(`^${lms.url}/auth\\?`));
    // The link works once.
    const again = await handleDynamicRegistration(new Request(url), w.deps);
    expect(again.status).toBe(400);
    expect(await again.text()).toMatch(/already used or has expired/);
  });

  it("refuses a configuration whose issuer is on another host, and says so when the LMS refuses the registration token", async () => {
    const forged = {
      ...w.deps,
      fetch: async (input: string, init?: RequestInit) =>
        input.endsWith("/.well-known/openid-configuration")
          ? Response.json({ ...(await (await fetch(input, init)).json()), issuer: "https://canvas.instructure.com" })
          : fetch(input, init),
    };
    const refused = await handleDynamicRegistration(new Request(await openedByLms()), forged);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/issuer https:\/\/canvas\.instructure\.com is not on 127\.0\.0\.1:\d+/);

    const wrongToken = (await openedByLms()).replace(/registration_token=[^&]+/, "registration_token=guessed");
    const unauthorized = await handleDynamicRegistration(new Request(wrongToken), w.deps);
    expect(unauthorized.status).toBe(400);
    expect(await unauthorized.text()).toMatch(/\/register answered HTTP 401/);
    expect(lms.toolRegistrations).toHaveLength(0);
    expect(await listPlatforms(w.db, w.fixture.instructor.id)).toEqual([]);
  });
});
