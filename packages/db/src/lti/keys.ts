import { z } from "zod";
import type { Db } from "../connection";

/** A stored key pair; the JWKs are opaque objects here (the lti package signs with them). */
export interface StoredToolKey {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: number;
}

const Jwk = z.record(z.string(), z.unknown());

/** Our signing key is replaced after this long; the previous one stays published so tokens it signed still verify. */
export const TOOL_KEY_ROTATION_MS = 90 * 24 * 3_600_000;

/**
 * The current signing key, creating the first one or a successor when it is older than the rotation
 * period. `generate` makes a key pair (the lti package's `generateToolKey`); concurrent callers may each
 * add one, and the newest wins, which is harmless.
 */
export async function currentToolKey(
  db: Db,
  input: { now: number; generate: () => Promise<{ kid: string; privateJwk: object; publicJwk: object }> },
): Promise<StoredToolKey> {
  const [newest] = await publishedToolKeys(db);
  if (newest && input.now - newest.createdAt < TOOL_KEY_ROTATION_MS) return newest;
  const key = await input.generate();
  await db.kysely
    .insertInto("lti_keys")
    .values({ kid: key.kid, private_jwk: JSON.stringify(key.privateJwk), public_jwk: JSON.stringify(key.publicJwk), created_at: input.now })
    .execute();
  return { kid: key.kid, privateJwk: Jwk.parse(key.privateJwk), publicJwk: Jwk.parse(key.publicJwk), createdAt: input.now };
}

/** The keys our JWKS publishes, newest first: the current one and its predecessor. */
export async function publishedToolKeys(db: Db): Promise<StoredToolKey[]> {
  const rows = await db.kysely.selectFrom("lti_keys").selectAll().orderBy("created_at", "desc").orderBy("kid").limit(2).execute();
  return rows.map((r) => ({
    kid: r.kid,
    privateJwk: Jwk.parse(JSON.parse(r.private_jwk)),
    publicJwk: Jwk.parse(JSON.parse(r.public_jwk)),
    createdAt: Number(r.created_at),
  }));
}
