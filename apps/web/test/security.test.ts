import superjson from "superjson";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clientIpOf, handleTrpcRequest } from "../src/server/http";
import { contentSecurityPolicy, SECURITY_HEADERS } from "../src/server/security";
import { testConfig, world, type World } from "./helpers";

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.cleanup();
});

const call = (req: Request) =>
  handleTrpcRequest(req, { db: () => Promise.resolve(w.db), config: testConfig, maxRequestBytes: 64 * 1024, now: w.clock.now });
const SIGN_IN = "http://localhost:3000/api/trpc/auth.signIn";
const body = JSON.stringify(superjson.serialize({ email: "student@example.test", password: "student-password" }));

function form(): FormData {
  const data = new FormData();
  data.set("email", "student@example.test");
  data.set("password", "student-password");
  return data;
}

describe("CSRF protection of tRPC mutations", () => {
  it.each([
    ["multipart/form-data (a cross-site <form> needs no preflight)", { body: form() }, "CSRF_CONTENT_TYPE"],
    ["text/plain", { body, headers: { "content-type": "text/plain" } }, "CSRF_CONTENT_TYPE"],
    ["no content type", { body: new Blob([body]) }, "CSRF_CONTENT_TYPE"],
    [
      "JSON marked cross-site by Sec-Fetch-Site",
      { body, headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" } },
      "CSRF_CROSS_SITE",
    ],
    [
      "JSON from a sibling subdomain (same-site)",
      { body, headers: { "content-type": "application/json", "sec-fetch-site": "same-site" } },
      "CSRF_CROSS_SITE",
    ],
    [
      "JSON with a foreign Origin",
      { body, headers: { "content-type": "application/json", origin: "https://evil.example" } },
      "CSRF_CROSS_SITE",
    ],
    ["JSON with Origin: null", { body, headers: { "content-type": "application/json", origin: "null" } }, "CSRF_CROSS_SITE"],
  ])("refuses %s with 403 and a stable code, before signing anyone in", async (_case, init, code) => {
    const res = await call(new Request(SIGN_IN, { method: "POST", ...init }));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it.each([
    ["a same-origin browser request", { "sec-fetch-site": "same-origin", origin: "http://localhost:3000" }],
    ["a non-browser client (no Origin, no Sec-Fetch-Site)", {}],
    ["a charset parameter on the JSON type", { "content-type": "application/json; charset=utf-8" }],
  ])("accepts %s", async (_case, headers) => {
    const res = await call(new Request(SIGN_IN, { method: "POST", body, headers: { "content-type": "application/json", ...headers } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/^stepwise_session=/);
  });

  it("leaves queries (GET) alone", async () => {
    const res = await call(new Request("http://localhost:3000/api/trpc/auth.me", { headers: { "sec-fetch-site": "cross-site" } }));
    expect(res.status).toBe(200);
  });
});

describe("Content-Security-Policy", () => {
  const csp = contentSecurityPolicy("abc123", { dev: false });
  const directive = (name: string) => csp.split("; ").find((d) => d.startsWith(`${name} `));

  it("allows scripts only with the nonce: no inline script, no eval on the page", () => {
    expect(directive("script-src")).toBe("script-src 'self' 'nonce-abc123' 'strict-dynamic' 'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/'unsafe-inline'[^;]*script|script-src[^;]*'unsafe-inline'|script-src[^;]*'unsafe-eval'/);
  });

  it.each([
    ["worker-src", "worker-src 'self' blob:"],
    ["frame-ancestors", "frame-ancestors 'none'"],
    ["object-src", "object-src 'none'"],
    ["connect-src", "connect-src 'self'"],
  ])("sets %s", (name, expected) => {
    expect(directive(name)).toBe(expected);
  });

  it("adds 'unsafe-eval' only in development (Next's dev overlay needs it)", () => {
    expect(contentSecurityPolicy("n", { dev: true })).toMatch(/script-src [^;]*'unsafe-eval'/);
  });

  it("sends nosniff, a same-origin referrer policy and no framing on every response", () => {
    expect(Object.fromEntries(SECURITY_HEADERS.map((h) => [h.key, h.value]))).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin",
      "X-Frame-Options": "DENY",
    });
  });
});

describe("client IP for rate limits (TRUSTED_PROXIES)", () => {
  it.each([
    ["the hop the one trusted proxy appended, not the one the client forged", "6.6.6.6, 203.0.113.9", 1, "203.0.113.9"],
    ["the hop the outer of two trusted proxies appended", "6.6.6.6, 198.51.100.7, 10.0.0.2", 2, "198.51.100.7"],
    ["an IPv4-mapped IPv6 address as IPv4", "::ffff:198.51.100.4", 1, "198.51.100.4"],
    ["an IPv6 address", "2001:DB8::1", 1, "2001:db8::1"],
    ["nothing with no trusted proxy (default): any client can send the header", "203.0.113.9", 0, null],
    ["nothing when the header has fewer hops than trusted proxies", "203.0.113.9", 2, null],
    ["nothing for an entry that is not an IP address", "6.6.6.6, not-an-ip", 1, null],
    ["nothing without the header", null, 1, null],
  ])("takes %s", (_case, header, trustedProxies, expected) => {
    const req = new Request("http://localhost/api/trpc/auth.signIn", { headers: header ? { "x-forwarded-for": header } : {} });
    expect(clientIpOf(req, trustedProxies)).toBe(expected);
  });
});
