import { NextResponse, type NextRequest } from "next/server";
import { isDevelopment, trustedProxies } from "~/env";
import { PATH_HEADER } from "~/lib/return-to";
import { contentSecurityPolicy, HSTS, isHttps } from "~/server/security";

/**
 * Per-request CSP nonce for pages (Next reads it from the request's CSP header and puts it on its own
 * scripts). API routes, static chunks (including the model Worker) and the wasm files are excluded.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, { dev: isDevelopment() });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  // Server components cannot read their own URL; a page whose session lapsed sends the user to
  // sign in and back here (`requireUser`). Set here so a client cannot supply it.
  requestHeaders.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  if (isHttps(request, trustedProxies())) response.headers.set(HSTS.key, HSTS.value);
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!api|tfjs-wasm|_next/static|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
