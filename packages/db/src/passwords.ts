import { scrypt, timingSafeEqual } from "node:crypto";
import { generateRandomString, hashPassword as betterAuthHash, verifyPassword as betterAuthVerify } from "better-auth/crypto";

/**
 * Password hashes and session tokens in better-auth's formats. better-auth's web sign-in is configured
 * with `hashPassword`/`verifyPasswordHash` (`emailAndPassword.password`), so the seed, the CLI and the
 * web app write and check one format.
 */

/**
 * Prefix of hashes written before better-auth (moved by migration 0004): `legacy-scrypt$<salt>$<key>`,
 * hex, made with Node's scrypt defaults (N=16384, r=8, p=1, 64-byte key) and the salt's raw bytes.
 */
export const LEGACY_HASH_PREFIX = "legacy-scrypt$";
const LEGACY_KEY_BYTES = 64;

/** better-auth's own hash: `<salt hex>:<key hex>`, scrypt N=16384, r=16, p=1. */
export function hashPassword(password: string): Promise<string> {
  return betterAuthHash(password);
}

export function isLegacyPasswordHash(hash: string): boolean {
  return hash.startsWith(LEGACY_HASH_PREFIX);
}

function legacyKey(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, LEGACY_KEY_BYTES, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Checks a password against a better-auth hash or a legacy one. Only reading the legacy format is
 * ours; nothing writes it any more (the next sign-in re-hashes, see `rehashLegacyPassword`).
 */
export async function verifyPasswordHash({ hash, password }: { hash: string; password: string }): Promise<boolean> {
  if (!isLegacyPasswordHash(hash)) return betterAuthVerify({ hash, password });
  const [saltHex, keyHex] = hash.slice(LEGACY_HASH_PREFIX.length).split("$");
  if (!saltHex || !keyHex)
    throw new Error(`Stored legacy password hash must be ${LEGACY_HASH_PREFIX}<salt>$<key>, got a value without both parts`);
  const expected = Buffer.from(keyHex, "hex");
  const actual = await legacyKey(password, Buffer.from(saltHex, "hex"));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A session token as better-auth makes them (32 characters of [a-zA-Z0-9]). */
export function generateSessionToken(): string {
  return generateRandomString(32, "a-z", "A-Z", "0-9");
}
