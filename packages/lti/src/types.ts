import type { JWK } from "jose";

/** What an LMS administrator gives us about their platform (one registration per issuer + client id). */
export interface PlatformRegistration {
  /** `iss` of the platform's id_tokens, e.g. `https://canvas.instructure.com`. */
  issuer: string;
  /** The client id the platform assigned to Stepwise (`aud` of its id_tokens). */
  clientId: string;
  /** Deployments of the tool the platform may launch from; a launch from any other is refused. */
  deploymentIds: string[];
  /** The platform's OIDC authorization endpoint (where the login initiation redirects). */
  authUrl: string;
  /** The platform's OAuth2 token endpoint (client credentials for AGS/NRPS). */
  tokenUrl: string;
  /** The platform's public keys. */
  jwksUrl: string;
}

/** One of Stepwise's signing key pairs (RS256), as stored. */
export interface ToolKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** `fetch` as the services call it; tests inject one, production passes `globalThis.fetch`. */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Milliseconds since the epoch; injected so expiry is testable. */
export type Clock = () => number;
