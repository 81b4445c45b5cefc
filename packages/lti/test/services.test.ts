import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLineItem,
  fetchMembers,
  generateToolKey,
  passbackDelayMs,
  PlatformServiceError,
  PlatformTokens,
  postScore,
  publicJwks,
} from "../src/index";
import { ROLE, TestPlatform } from "../src/testing/platform";

const toolKey = await generateToolKey();
const platform = new TestPlatform({ toolJwks: () => Promise.resolve(publicJwks([toolKey])), pageSize: 2 });
platform.addUser({ sub: "s-1", name: "Sam", email: "sam@lms.test", roles: [ROLE.learner] });
platform.addUser({ sub: "s-2", name: "Kim", email: "kim@lms.test", roles: [ROLE.learner] });
platform.addUser({ sub: "t-1", name: "Ada", email: "ada@lms.test", roles: [ROLE.instructor] });

beforeAll(() => platform.start());
afterAll(() => platform.stop());

describe("platform services", () => {
  it("reuses one access token across calls and fetches a new one when the platform rejects it", async () => {
    let now = Date.now();
    const tokens = new PlatformTokens({ fetch, clock: () => now, toolKey: () => Promise.resolve(toolKey) });
    const deps = { fetch, tokens };
    const lineItem = await createLineItem(deps, platform.registration, platform.lineItemsUrl, { label: "Step 5", scoreMaximum: 1 });
    await postScore(deps, platform.registration, lineItem, {
      userId: "s-1",
      scoreGiven: 0.5,
      scoreMaximum: 1,
      timestamp: new Date(now).toISOString(),
    });
    const before = platform.tokensIssued;
    platform.expireTokens();
    await postScore(deps, platform.registration, lineItem, {
      userId: "s-2",
      scoreGiven: 1,
      scoreMaximum: 1,
      timestamp: new Date(now).toISOString(),
    });
    expect(platform.tokensIssued).toBe(before + 1);
    now += 3600_000;
    await postScore(deps, platform.registration, lineItem, {
      userId: "s-1",
      scoreGiven: 1,
      scoreMaximum: 1,
      timestamp: new Date(now).toISOString(),
    });
    expect(platform.scores.map((s) => [s.userId, s.scoreGiven])).toEqual([
      ["s-1", 0.5],
      ["s-2", 1],
      ["s-1", 1],
    ]);
  });

  it.each([
    ["429", 429],
    ["403", 403],
  ] as const)("reports a %s rate limit as retryable", async (kind, status) => {
    const tokens = new PlatformTokens({ fetch, clock: () => Date.now(), toolKey: () => Promise.resolve(toolKey) });
    platform.rateLimit(kind, 1);
    const error = await fetchMembers({ fetch, tokens }, platform.registration, platform.membershipsUrl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformServiceError);
    expect((error as PlatformServiceError).status).toBe(status);
    expect((error as PlatformServiceError).retryable).toBe(true);
    expect(passbackDelayMs(error as PlatformServiceError, 3)).toBe(120_000);
  });

  it("follows NRPS pages to the whole roster", async () => {
    const tokens = new PlatformTokens({ fetch, clock: () => Date.now(), toolKey: () => Promise.resolve(toolKey) });
    const members = await fetchMembers({ fetch, tokens }, platform.registration, platform.membershipsUrl);
    expect(members.map((m) => [m.user_id, m.roles])).toEqual([
      ["s-1", ["Learner"]],
      ["s-2", ["Learner"]],
      ["t-1", ["Instructor"]],
    ]);
  });
});
