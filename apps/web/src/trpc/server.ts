import { headers } from "next/headers";
import { cache } from "react";
import { trustedProxies } from "~/env";
import { apiConfigFromEnv } from "~/server/config";
import { getDb } from "~/server/db";
import { createCaller } from "~/server/root";
import { sessionCookieOf } from "~/server/session";
import { createContext } from "~/server/trpc";

/**
 * Server components call procedures in-process through the same router, so they get the same
 * authorization checks as the HTTP API. One caller per request (React `cache`).
 */
export const api = cache(async () => {
  const headerStore = await headers();
  const db = await getDb();
  const ctx = await createContext({
    db,
    config: apiConfigFromEnv(),
    sessionCookie: sessionCookieOf(headerStore.get("cookie")),
    // Only a trusted proxy's word counts (`TRUSTED_PROXIES`); any client can send the header.
    secureCookies: trustedProxies() > 0 && headerStore.get("x-forwarded-proto") === "https",
  });
  return createCaller(ctx);
});
