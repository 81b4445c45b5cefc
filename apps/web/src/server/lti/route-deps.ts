import { trustedProxies } from "~/env";
import { authSecretOf } from "../auth";
import { apiConfigFromEnv } from "../config";
import { getDb } from "../db";
import { liveServiceDeps, type LtiDeps } from "./deps";

/** The LTI handlers' dependencies in the running app (platform keys and access tokens cached per process). */
export async function routeDeps(): Promise<LtiDeps> {
  const db = await getDb();
  const config = apiConfigFromEnv();
  return { ...liveServiceDeps(db), trustedProxies: trustedProxies(), authSecret: authSecretOf(config), sessionTtlMs: config.sessionTtlMs };
}
