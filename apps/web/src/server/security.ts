/**
 * Web security policies, as pure functions so they are tested without a server:
 * the Content-Security-Policy of pages, the headers every response carries, and the CSRF check
 * of tRPC mutations.
 */

/**
 * CSP for HTML pages. Scripts only with this request's nonce ('strict-dynamic' lets Next's nonce'd
 * bootstrap load its chunks); no inline script, no eval on the page. The model Worker is a same-origin
 * script (its own response carries no CSP, so the student's code may run there with `new Function`);
 * 'wasm-unsafe-eval' lets tfjs compile its WebAssembly backend. Styles allow inline because React and
 * recharts write `style` attributes; styles cannot run code.
 */
export function contentSecurityPolicy(nonce: string, options: { dev: boolean }): string {
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${options.dev ? " 'unsafe-eval'" : ""}`,
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join("; ");
}

/** Headers for every response (pages, API, static files). */
export const SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  // Nothing here uses these; a script that got in still cannot ask for them.
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()" },
];

/** HSTS for responses served over HTTPS: a year, subdomains included (browsers ignore it over HTTP). */
export const HSTS = { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" } as const;

/**
 * Whether the request came over HTTPS: directly, or as the proxy in front of us says. Any client can
 * send `X-Forwarded-Proto`, so it counts only behind a trusted proxy (`TRUSTED_PROXIES` > 0).
 */
export function isHttps(req: Request, trustedProxies: number): boolean {
  if (new URL(req.url).protocol === "https:") return true;
  return trustedProxies > 0 && req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

/** The host the browser addressed: `X-Forwarded-Host` only behind a trusted proxy, else `Host`. */
export function requestHost(req: Request, trustedProxies: number): string {
  const forwarded = trustedProxies > 0 ? req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  return forwarded || (req.headers.get("host") ?? new URL(req.url).host);
}

export type CsrfCode = "CSRF_CONTENT_TYPE" | "CSRF_CROSS_SITE";

/**
 * Why a state-changing request must be refused, or null. tRPC also accepts `multipart/form-data`
 * and `text/plain`-like bodies, which a cross-site `<form>` can send without a CORS preflight; only
 * `application/json` forces one. And a browser that says the request is cross-site (Sec-Fetch-Site)
 * or names another origin (Origin) is refused even with JSON.
 */
export function csrfViolation(req: Request, trustedProxies = 0): { code: CsrfCode; message: string } | null {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return null;
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json") {
    return {
      code: "CSRF_CONTENT_TYPE",
      message: `API requests that change data must be sent as application/json, got ${type ? `"${type}"` : "no content type"}.`,
    };
  }
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    return { code: "CSRF_CROSS_SITE", message: `Requests from other sites are refused (Sec-Fetch-Site: ${site}).` };
  }
  const origin = req.headers.get("origin");
  if (origin !== null) {
    const host = requestHost(req, trustedProxies);
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      // "null" (sandboxed frames, file: pages) or garbage: not our origin.
    }
    if (originHost !== host) return { code: "CSRF_CROSS_SITE", message: `Requests from other origins are refused (Origin: ${origin}).` };
  }
  return null;
}
