import { cookies, headers } from "next/headers";
import { cache } from "react";
import { apiConfigFromEnv } from "~/server/config";
import { getDb } from "~/server/db";
import { createCaller } from "~/server/root";
import { SESSION_COOKIE } from "~/server/session";
import { createContext } from "~/server/trpc";

/**
 * Server components call procedures in-process through the same router, so they get the same
 * authorization checks as the HTTP API. One caller per request (React `cache`).
 */
export const api = cache(async () => {
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  const db = await getDb();
  const ctx = await createContext({
    db,
    config: apiConfigFromEnv(),
    sessionToken: cookieStore.get(SESSION_COOKIE)?.value ?? null,
    secureCookies: headerStore.get("x-forwarded-proto") === "https",
  });
  return createCaller(ctx);
});
