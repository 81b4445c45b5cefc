import { createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify } from "jose";
import { CLAIM, LtiMessage } from "./claims";
import { LaunchError } from "./errors";
import type { Clock, Fetch, PlatformRegistration } from "./types";

/** How long a platform's JWKS is trusted before it is fetched again; a key id we do not know refetches at once. */
export const PLATFORM_JWKS_TTL_MS = 10 * 60_000;
/** Allowed skew between the platform's clock and ours, for `iat`/`exp`. */
export const CLOCK_TOLERANCE_S = 60;
/** An id_token older than this is refused even when its `exp` lies further out. */
export const MAX_ID_TOKEN_AGE_S = 10 * 60;

/** Platform public keys, fetched with an injected fetch and cached per URL. */
export class PlatformKeys {
  private readonly cache = new Map<string, { jwks: JSONWebKeySet; fetchedAt: number }>();
  constructor(
    private readonly fetch: Fetch,
    private readonly clock: Clock,
  ) {}

  async keySet(url: string, refresh = false): Promise<JSONWebKeySet> {
    const cached = this.cache.get(url);
    if (!refresh && cached && this.clock() - cached.fetchedAt < PLATFORM_JWKS_TTL_MS) return cached.jwks;
    let response: Response;
    try {
      response = await this.fetch(url, { headers: { accept: "application/json" } });
    } catch (error) {
      throw new LaunchError(
        "bad_signature",
        `The platform's keys at ${url} could not be fetched: ${error instanceof Error ? error.message : String(error)}.`,
      );
    }
    if (!response.ok) throw new LaunchError("bad_signature", `The platform's keys at ${url} answered HTTP ${response.status}.`);
    const body: unknown = await response.json();
    if (typeof body !== "object" || body === null || !Array.isArray((body as { keys?: unknown }).keys))
      throw new LaunchError("bad_signature", `The platform's keys at ${url} are not a JWKS (no "keys" array).`);
    const jwks = body as JSONWebKeySet;
    this.cache.set(url, { jwks, fetchedAt: this.clock() });
    return jwks;
  }
}

/**
 * Verifies an id_token from `platform` and returns its LTI message. Checks, in order: signature
 * against the platform's JWKS (RS256 only), `iss`, `aud` (our client id), `azp` (our client id when
 * present, required when several audiences), `exp`/`iat` with a minute of skew and at most ten
 * minutes of age, the nonce we issued, a known deployment, and the LTI claims' shape. Single use of
 * the nonce is the caller's (it is stored with the state).
 */
export async function verifyIdToken(
  idToken: string,
  input: { platform: PlatformRegistration; keys: PlatformKeys; now: number; nonce: string },
): Promise<LtiMessage> {
  const { platform } = input;
  const verifyWith = async (jwks: JSONWebKeySet) =>
    jwtVerify(idToken, createLocalJWKSet(jwks), {
      issuer: platform.issuer,
      audience: platform.clientId,
      algorithms: ["RS256"],
      currentDate: new Date(input.now),
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: MAX_ID_TOKEN_AGE_S,
      requiredClaims: ["exp", "iat", "nonce", "sub"],
    });
  let payload: unknown;
  try {
    try {
      ({ payload } = await verifyWith(await input.keys.keySet(platform.jwksUrl)));
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // The platform rotated its keys since we cached them.
      ({ payload } = await verifyWith(await input.keys.keySet(platform.jwksUrl, true)));
    }
  } catch (error) {
    throw refusal(error, platform);
  }
  const claims = payload as Record<string, unknown>;
  const aud = claims.aud;
  const azp = claims.azp;
  if (Array.isArray(aud) && aud.length > 1 && azp === undefined)
    throw new LaunchError("wrong_audience", `The id_token names several audiences but no azp; expected azp "${platform.clientId}".`);
  if (azp !== undefined && azp !== platform.clientId)
    throw new LaunchError("wrong_audience", `The id_token's azp is ${JSON.stringify(azp)}; expected our client id "${platform.clientId}".`);
  if (claims.nonce !== input.nonce)
    throw new LaunchError("replayed", "The id_token's nonce is not the one issued for this login; start the launch again from the LMS.");
  const deployment = claims[CLAIM.deploymentId];
  if (typeof deployment !== "string" || !platform.deploymentIds.includes(deployment))
    throw new LaunchError(
      "unknown_deployment",
      `Deployment "${String(deployment)}" of ${platform.issuer} is not registered (registered: ${platform.deploymentIds.join(", ") || "none"}).`,
    );
  const parsed = LtiMessage.safeParse(claims);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LaunchError(
      "bad_claims",
      `The id_token is not an LTI 1.3 launch we understand: ${issue ? `${issue.path.join(".") || "message"}: ${issue.message}` : "malformed"}.`,
    );
  }
  return parsed.data;
}

function refusal(error: unknown, platform: PlatformRegistration): LaunchError {
  if (error instanceof LaunchError) return error;
  if (error instanceof errors.JWTExpired)
    return new LaunchError("expired", `The id_token expired (${error.message}); start the launch again from the LMS.`);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud")
      return new LaunchError("wrong_audience", `The id_token is addressed to another tool; expected aud "${platform.clientId}".`);
    if (error.claim === "iat") return new LaunchError("expired", `The id_token is too old or issued in the future (${error.message}).`);
    return new LaunchError("bad_claims", `The id_token's "${error.claim}" claim is wrong: ${error.message}.`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return new LaunchError("bad_signature", `The id_token's signature does not verify against ${platform.issuer}'s keys.`);
  if (error instanceof errors.JOSEError) return new LaunchError("bad_signature", `The id_token could not be verified: ${error.message}.`);
  return new LaunchError("bad_request", `The id_token could not be read: ${error instanceof Error ? error.message : String(error)}.`);
}
