import { generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLAIM, generateToolKey, LaunchError, PlatformKeys, publicJwks, type PlatformRegistration, verifyIdToken } from "../src/index";
import { ROLE, TestPlatform } from "../src/testing/platform";

const toolKey = await generateToolKey();
const forger = await generateKeyPair("RS256");
const platform = new TestPlatform({ toolJwks: () => Promise.resolve(publicJwks([toolKey])) });
let registration: PlatformRegistration;
const student = platform.addUser({ sub: "s-1", name: "Sam Student", email: "sam@lms.test", roles: [ROLE.learner] });

beforeAll(async () => {
  await platform.start();
  registration = platform.registration;
});
afterAll(() => platform.stop());

describe("verifyIdToken", () => {
  it("accepts a launch signed by the platform and maps its claims", async () => {
    const now = Date.now();
    const token = await platform.idToken({ user: student, nonce: "n-1", now });
    const message = await verifyIdToken(token, { platform: registration, keys: new PlatformKeys(fetch, () => now), now, nonce: "n-1" });
    expect(message.sub).toBe("s-1");
    expect(message[CLAIM.messageType]).toBe("LtiResourceLinkRequest");
    expect(message[CLAIM.context]?.id).toBe(platform.contextId);
  });

  it.each([
    ["forged signature", { signWith: forger.privateKey }, "bad_signature", /signature/],
    ["wrong audience", { overrides: { aud: "someone-else", azp: undefined } }, "wrong_audience", /aud "stepwise-client"/],
    ["wrong azp", { overrides: { aud: ["stepwise-client", "x"], azp: "x" } }, "wrong_audience", /azp/],
    ["expired", { overrides: { exp: Math.floor(Date.now() / 1000) - 600 } }, "expired", /expired/],
    ["other nonce", { nonceOverride: "n-other" }, "replayed", /nonce/],
    ["unknown deployment", { overrides: { [CLAIM.deploymentId]: "dep-9" } }, "unknown_deployment", /dep-9/],
    ["wrong issuer", { overrides: { iss: "https://evil.example" } }, "bad_claims", /iss/],
    ["not LTI 1.3", { overrides: { [CLAIM.version]: "1.1" } }, "bad_claims", /version/],
  ] as const)("refuses a launch with a %s", async (_name, variant, code, message) => {
    const now = Date.now();
    const token = await platform.idToken({
      user: student,
      nonce: "nonceOverride" in variant ? variant.nonceOverride : "n-1",
      now,
      ...("signWith" in variant ? { signWith: variant.signWith } : {}),
      ...("overrides" in variant ? { overrides: variant.overrides } : {}),
    });
    const error = await verifyIdToken(token, { platform: registration, keys: new PlatformKeys(fetch, () => now), now, nonce: "n-1" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LaunchError);
    expect((error as LaunchError).code).toBe(code);
    expect((error as LaunchError).message).toMatch(message);
  });
});
