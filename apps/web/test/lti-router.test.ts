import { userByEmail } from "@stepwise/db";
import { createTestUser } from "@stepwise/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { world, type World } from "./helpers";

const platform = {
  issuer: "https://canvas.instructure.com",
  clientId: "10000000000042",
  deploymentIds: ["1:abc"],
  authUrl: "https://sso.canvaslms.com/api/lti/authorize_redirect",
  tokenUrl: "https://sso.canvaslms.com/login/oauth2/token",
  jwksUrl: "https://sso.canvaslms.com/api/lti/security/jwks",
};

describe("lti router", () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(() => w.cleanup());

  it("lets an instructor register an LMS and see the URLs to paste", async () => {
    const teacher = await w.as(w.instructor);
    await teacher.lti.register(platform);
    expect((await teacher.lti.platforms()).map((p) => [p.issuer, p.clientId, p.trustEmail])).toEqual([
      [platform.issuer, platform.clientId, false],
    ]);
    expect(await teacher.lti.toolUrls()).toMatchObject({
      loginUrl: "/api/lti/login",
      launchUrl: "/api/lti/launch",
      jwksUrl: "/api/lti/jwks",
    });
  });

  it.each(["a student", "an instructor of another course"] as const)("refuses the passback states to %s", async (who) => {
    const other = await createTestUser(
      w.db,
      { email: "elsewhere@example.test", name: "Elsewhere", role: "instructor", password: "elsewhere-password" },
      w.clock.now(),
    ).catch(() => null);
    const outsider = other ?? (await userByEmail(w.db, "elsewhere@example.test"));
    const caller = await w.as(who === "a student" ? w.student : outsider);
    await expect(caller.lti.passbacks({ courseId: w.courseId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await w.as(w.instructor)).lti.passbacks({ courseId: w.courseId })).resolves.toEqual([]);
  });

  it.each([
    [{ ...platform, authUrl: "not a url" }, /OIDC auth URL must be a URL/],
    [{ ...platform, deploymentIds: [] }, /at least one deployment id/],
    [{ ...platform, jwksUrl: "ftp://x.test/jwks" }, /must start with https:/],
  ])("names what is wrong in a registration", async (input, message) => {
    const teacher = await w.as(w.instructor);
    await expect(teacher.lti.register(input)).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(message) as unknown,
    });
  });
});
