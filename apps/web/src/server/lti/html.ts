import { createHash } from "node:crypto";

/**
 * The few HTML pages LTI answers with (the launch hand-over, the deep-linking picker, refusals). They
 * are served by API routes, outside the app's page CSP, so each sets its own: no script (but one, by hash), forms
 * only to us (and to the LMS's return URL for deep linking), and framing allowed because LMSs show
 * tools in an iframe — these pages hold a button and nothing an attacker could click for profit.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function ltiPage(input: {
  title: string;
  body: string;
  status?: number;
  frameAncestors: string[];
  formAction?: string[];
  script?: string;
}): Response {
  // The one page that needs a script (dynamic registration's "close" message) allows exactly that script by its hash.
  const script = input.script ?? null;
  const csp = [
    "default-src 'none'",
    ...(script === null ? [] : [`script-src 'sha256-${createHash("sha256").update(script).digest("base64")}'`]),
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    `form-action 'self'${(input.formAction ?? []).map((o) => ` ${o}`).join("")}`,
    `frame-ancestors https:${input.frameAncestors.map((o) => ` ${o}`).join("")}`,
  ].join("; ");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)} · Stepwise</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}a.button,button{display:inline-block;background:#1d4ed8;color:#fff;border:0;border-radius:6px;padding:.6rem 1.1rem;font-size:1rem;text-decoration:none;cursor:pointer}label{display:block;margin:.4rem 0}.error{color:#b91c1c}</style>
</head><body><main>${input.body}</main>${script === null ? "" : `<script>${script}</script>`}</body></html>`;
  return new Response(html, {
    status: input.status ?? 200,
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": csp, "cache-control": "no-store" },
  });
}

/** The origin of a URL, for CSP source lists; null for anything unparsable. */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
