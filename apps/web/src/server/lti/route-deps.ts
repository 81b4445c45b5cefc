import { trustedProxies } from "~/env";
import { authSecretOf } from "../auth";
import { apiConfigFromEnv } from "../config";
import { getDb } from "../db";
import { type LtiDeps, serviceClients } from "./deps";

// The platforms' keys and our access tokens are cached per process (across requests), not per request.
const globalForLti = globalThis as typeof globalThis & { stepwiseLtiClients?: ReturnType<typeof serviceClients> };

/** The LTI handlers' dependencies in the running app. */
export async function routeDeps(): Promise<LtiDeps> {
  const db = await getDb();
  const config = apiConfigFromEnv();
  const clock = () => Date.now();
  globalForLti.stepwiseLtiClients ??= serviceClients(db, (input, init) => fetch(input, init), clock);
  return {
    db,
    clock,
    fetch: (input, init) => fetch(input, init),
    ...globalForLti.stepwiseLtiClients,
    trustedProxies: trustedProxies(),
    authSecret: authSecretOf(config),
    sessionTtlMs: config.sessionTtlMs,
  };
}
