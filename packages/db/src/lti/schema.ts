import type { Generated } from "kysely";

/** Migration 0014's tables (see `migrations/0014_lti.ts`). */

/** One of our RS256 signing key pairs; JWKs as JSON text. */
export interface LtiKeysTable {
  kid: string;
  private_jwk: string;
  public_jwk: string;
  created_at: number;
}

export interface LtiPlatformsTable {
  id: string;
  issuer: string;
  client_id: string;
  /** JSON array of deployment ids. */
  deployment_ids: string;
  auth_url: string;
  token_url: string;
  jwks_url: string;
  /** 0/1: an operator vouched that the platform's `email` claims are verified, so they may link existing accounts. */
  trust_email: Generated<number>;
  registered_by: string | null;
  created_at: number;
}

/** A login in flight: the state we sent and the nonce the id_token must carry; deleted when used. */
export interface LtiStatesTable {
  state: string;
  nonce: string;
  platform_id: string;
  expires_at: number;
}

/** A one-time token (stored as its SHA-256) that hands a verified launch to a new window or a picker form. */
export interface LtiLaunchTokensTable {
  token_hash: string;
  /** `session` (open a session, go to `payload.to`) or `deep_link` (payload: the deep-linking request). */
  kind: string;
  user_id: string;
  payload: string;
  expires_at: number;
}

export interface LtiUsersTable {
  platform_id: string;
  sub: string;
  user_id: string;
}

export interface LtiContextsTable {
  platform_id: string;
  context_id: string;
  course_id: string;
  deployment_id: string;
  title: string;
  memberships_url: string | null;
  line_items_url: string | null;
  synced_at: number | null;
}

export interface LtiLinksTable {
  platform_id: string;
  resource_link_id: string;
  context_id: string;
  assignment_id: string | null;
  line_item_url: string | null;
}

/** A member of an LMS course as the LMS last said: `active`, or `dropped` (kept, never deleted). */
export interface LtiMembersTable {
  platform_id: string;
  context_id: string;
  user_id: string;
  role: string;
  status: string;
  updated_at: number;
}

/** The state of one student's grade in one LMS line item: `pending`, `sent` or `failed`. */
export interface LtiPassbacksTable {
  line_item_url: string;
  user_id: string;
  platform_id: string;
  assignment_id: string;
  status: string;
  score_given: number | null;
  score_maximum: number | null;
  last_error: string | null;
  sent_at: number | null;
  updated_at: number;
}
