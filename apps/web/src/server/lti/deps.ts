import type { Db } from "@stepwise/db";
import { currentToolKey, type LtiPlatform, publishedToolKeys, type StoredToolKey } from "@stepwise/db/lti";
import {
  type Fetch,
  generateToolKey,
  type JWKLike,
  PlatformKeys,
  PlatformTokens,
  type PlatformRegistration,
  publicJwks,
  type ToolKey,
} from "@stepwise/lti";
import { isHttps, requestHost } from "../security";

/** What the LTI handlers need; the routes build it from the environment, tests build their own. */
export interface LtiDeps {
  db: Db;
  clock: () => number;
  fetch: Fetch;
  /** The platforms' public keys, cached per process. */
  platformKeys: PlatformKeys;
  /** Access tokens to platform services, cached per process. */
  tokens: PlatformTokens;
  trustedProxies: number;
  authSecret: string;
  sessionTtlMs: number;
}

/** What the passback runner and the roster sync need (no browser, no session). */
export type ServiceDeps = Pick<LtiDeps, "db" | "clock" | "fetch" | "tokens">;

const clientsByDb = new WeakMap<Db, ReturnType<typeof serviceClients>>();

/** Service dependencies on the real network, one token cache per database per process. */
export function liveServiceDeps(db: Db): ServiceDeps & { platformKeys: PlatformKeys } {
  const clock = () => Date.now();
  const fetchFn: Fetch = (input, init) => fetch(input, init);
  let clients = clientsByDb.get(db);
  if (!clients) {
    clients = serviceClients(db, fetchFn, clock);
    clientsByDb.set(db, clients);
  }
  return { db, clock, fetch: fetchFn, ...clients };
}

/** How long a login may take between initiation and launch, and a handed-over launch token lives. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;
export const LAUNCH_TOKEN_TTL_MS = 2 * 60_000;

function toToolKey(k: StoredToolKey): ToolKey {
  return { kid: k.kid, privateJwk: k.privateJwk, publicJwk: k.publicJwk };
}

/** Our current signing key (created on first use, rotated by age). */
export async function toolKey(db: Db, now: number): Promise<ToolKey> {
  return toToolKey(await currentToolKey(db, { now, generate: generateToolKey }));
}

/** The JWKS we publish at /api/lti/jwks: the current key and the one before it. */
export async function toolJwks(db: Db, now: number): Promise<{ keys: JWKLike[] }> {
  await currentToolKey(db, { now, generate: generateToolKey });
  return publicJwks((await publishedToolKeys(db)).map(toToolKey));
}

/** Service clients sharing one token cache; the token endpoint's assertion is signed with our current key. */
export function serviceClients(db: Db, fetch: Fetch, clock: () => number): { platformKeys: PlatformKeys; tokens: PlatformTokens } {
  return {
    platformKeys: new PlatformKeys(fetch, clock),
    tokens: new PlatformTokens({ fetch, clock, toolKey: () => toolKey(db, clock()) }),
  };
}

export function registrationOf(p: LtiPlatform): PlatformRegistration {
  return {
    issuer: p.issuer,
    clientId: p.clientId,
    deploymentIds: p.deploymentIds,
    authUrl: p.authUrl,
    tokenUrl: p.tokenUrl,
    jwksUrl: p.jwksUrl,
  };
}

/** The origin the browser addressed us at (behind trusted proxies, what they say). */
export function publicOrigin(req: Request, trustedProxies: number): string {
  return `${isHttps(req, trustedProxies) ? "https" : "http"}://${requestHost(req, trustedProxies)}`;
}

/** The URLs an LMS administrator pastes into the LMS's tool configuration. */
export function toolUrls(origin: string) {
  return {
    loginUrl: `${origin}/api/lti/login`,
    launchUrl: `${origin}/api/lti/launch`,
    redirectUrl: `${origin}/api/lti/launch`,
    deepLinkingUrl: `${origin}/api/lti/launch`,
    jwksUrl: `${origin}/api/lti/jwks`,
  };
}
