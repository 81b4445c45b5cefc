import { PlatformServiceError } from "./errors";
import { signWithToolKey } from "./keys";
import type { Clock, Fetch, PlatformRegistration, ToolKey } from "./types";

/** A token is refreshed this long before the platform says it expires, so no request leaves with a dying one. */
export const TOKEN_MARGIN_MS = 60_000;

/**
 * OAuth2 client-credentials tokens for a platform's services, cached per platform and scope set.
 * Re-requesting a token per score is what got other tools rate-limited; one token serves a whole run
 * and is replaced when it nears expiry or the platform rejects it (401).
 */
export class PlatformTokens {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();
  /** How many tokens were requested from platforms (tests assert the cache works). */
  requested = 0;
  constructor(private readonly deps: { fetch: Fetch; clock: Clock; toolKey: () => Promise<ToolKey> }) {}

  private key(platform: PlatformRegistration, scopes: readonly string[]): string {
    return JSON.stringify([platform.tokenUrl, platform.clientId, [...scopes].sort()]);
  }

  invalidate(platform: PlatformRegistration, scopes: readonly string[]): void {
    this.cache.delete(this.key(platform, scopes));
  }

  async token(platform: PlatformRegistration, scopes: readonly string[]): Promise<string> {
    const key = this.key(platform, scopes);
    const now = this.deps.clock();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt - TOKEN_MARGIN_MS > now) return cached.token;
    const assertion = await signWithToolKey(
      await this.deps.toolKey(),
      { iss: platform.clientId, sub: platform.clientId, aud: platform.tokenUrl },
      { now, ttlSeconds: 300 },
    );
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
      scope: scopes.join(" "),
    });
    this.requested++;
    const response = await send(this.deps.fetch, platform.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: body.toString(),
    });
    const json = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof json.access_token !== "string")
      throw new PlatformServiceError(`The token endpoint ${platform.tokenUrl} answered without an access_token.`, response.status, false);
    const expiresIn = typeof json.expires_in === "number" && json.expires_in > 0 ? json.expires_in : 3600;
    this.cache.set(key, { token: json.access_token, expiresAt: now + expiresIn * 1000 });
    return json.access_token;
  }
}

/** Sends one request; any non-2xx answer becomes a `PlatformServiceError` saying whether to retry. */
export async function send(fetch: Fetch, url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new PlatformServiceError(
      `${init.method ?? "GET"} ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
      0,
      true,
    );
  }
  if (response.ok) return response;
  const text = (await response.text()).slice(0, 300);
  const rateLimited = response.status === 429 || (response.status === 403 && response.headers.get("x-rate-limit-remaining") === "0");
  const retryable = rateLimited || response.status >= 500;
  const retryAfter = Number(response.headers.get("retry-after"));
  throw new PlatformServiceError(
    `${init.method ?? "GET"} ${url} answered HTTP ${response.status}${rateLimited ? " (rate limited)" : ""}${text ? `: ${text}` : ""}`,
    response.status,
    retryable,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
  );
}

/**
 * Calls a platform service with a cached token; when the platform rejects the token (it expired
 * early, or was revoked mid-run) a fresh one is fetched and the request sent once more.
 */
export async function withToken(
  tokens: PlatformTokens,
  fetch: Fetch,
  platform: PlatformRegistration,
  scopes: readonly string[],
  url: string,
  init: RequestInit,
): Promise<Response> {
  const attempt = async () => {
    const token = await tokens.token(platform, scopes);
    return send(fetch, url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
  };
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof PlatformServiceError) || error.status !== 401) throw error;
    tokens.invalidate(platform, scopes);
    return attempt();
  }
}
