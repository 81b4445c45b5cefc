import superjson from "superjson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleFolderImport } from "../src/server/folder-http";
import { handleTrpcRequest } from "../src/server/http";
import { isHttps, requestHost, SECURITY_HEADERS } from "../src/server/security";
import { testConfig, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

const call = (req: Request, trustedProxies = 0) =>
  handleTrpcRequest(req, {
    db: () => Promise.resolve(w.db),
    config: testConfig,
    maxRequestBytes: 64 * 1024,
    now: w.clock.now,
    trustedProxies,
  });
const body = JSON.stringify(superjson.serialize({ email: "student@example.test", password: "student-password" }));
const signIn = (headers: Record<string, string>, origin = "http://app.example") =>
  new Request(`${origin}/api/trpc/auth.signIn`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", host: new URL(origin).host, ...headers },
  });

describe("forwarded headers count only behind a trusted proxy", () => {
  it.each([
    [0, "http", false],
    [0, "https", false],
    [1, "https", true],
    [1, "http", false],
  ] as const)("TRUSTED_PROXIES=%i, X-Forwarded-Proto: %s → HTTPS %s", (proxies, proto, https) => {
    expect(isHttps(new Request("http://app.example/", { headers: { "x-forwarded-proto": proto } }), proxies)).toBe(https);
  });

  it.each([
    [0, "app.example"],
    [1, "public.example"],
  ] as const)("TRUSTED_PROXIES=%i: the host is %s", (proxies, host) => {
    expect(
      requestHost(new Request("http://app.example/", { headers: { host: "app.example", "x-forwarded-host": "public.example" } }), proxies),
    ).toBe(host);
  });

  it("does not let a forged X-Forwarded-Host make a foreign Origin look like ours", async () => {
    const res = await call(signIn({ origin: "https://evil.example", "x-forwarded-host": "evil.example" }));
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("takes the public host from a trusted proxy", async () => {
    const res = await call(
      signIn({ origin: "https://public.example", "x-forwarded-host": "public.example", "x-forwarded-proto": "https" }),
      1,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/^__Secure-stepwise_session=.*; Secure/);
  });

  it("sets no Secure cookie and no HSTS for a forged X-Forwarded-Proto without a trusted proxy", async () => {
    const res = await call(signIn({ "x-forwarded-proto": "https" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/^stepwise_session=/);
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });

  it("applies the same host rule to course-folder uploads", async () => {
    const req = new Request("http://app.example/api/teach/folder", {
      method: "POST",
      body: new Uint8Array(10),
      headers: {
        "content-type": "application/zip",
        host: "app.example",
        origin: "https://evil.example",
        "x-forwarded-host": "evil.example",
      },
    });
    expect((await handleFolderImport(req, { db: w.db, config: testConfig, now: w.clock.now })).status).toBe(403);
  });
});

describe("response headers", () => {
  it.each([
    ["a query", new Request("http://app.example/api/trpc/auth.me")],
    [
      "a refused mutation",
      new Request("http://app.example/api/trpc/auth.signIn", { method: "POST", body: "x", headers: { "content-type": "text/plain" } }),
    ],
  ])("never lets a cache keep an API answer (%s)", async (_case, req) => {
    expect((await call(req)).headers.get("cache-control")).toBe("no-store");
  });

  it("sends HSTS over HTTPS", async () => {
    const res = await call(new Request("https://app.example/api/trpc/auth.me"));
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });

  it("sends a Permissions-Policy that turns off what the app never uses", () => {
    const policy = SECURITY_HEADERS.find((h) => h.key === "Permissions-Policy")?.value ?? "";
    for (const feature of ["camera=()", "microphone=()", "geolocation=()"]) expect(policy).toContain(feature);
  });
});
