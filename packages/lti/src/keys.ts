import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT, type JWTPayload } from "jose";
import type { ToolKey } from "./types";

export const TOOL_ALG = "RS256";

/** A fresh RS256 key pair with a random key id. */
export async function generateToolKey(): Promise<ToolKey> {
  const { privateKey, publicKey } = await generateKeyPair(TOOL_ALG, { extractable: true });
  const kid = randomUUID();
  const meta = { kid, alg: TOOL_ALG, use: "sig" };
  return { kid, privateJwk: { ...(await exportJWK(privateKey)), ...meta }, publicJwk: { ...(await exportJWK(publicKey)), ...meta } };
}

/** The JWKS document Stepwise publishes: public halves only (no `d`, `p`, `q`…). */
export function publicJwks(keys: readonly ToolKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => ({ kty: k.publicJwk.kty, n: k.publicJwk.n, e: k.publicJwk.e, kid: k.kid, alg: TOOL_ALG, use: "sig" })) };
}

/** Signs a JWT with one of our keys (client assertions, deep-linking responses). */
export async function signWithToolKey(key: ToolKey, payload: JWTPayload, input: { now: number; ttlSeconds: number }): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, TOOL_ALG);
  const iat = Math.floor(input.now / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: TOOL_ALG, kid: key.kid, typ: "JWT" })
    .setIssuedAt(iat)
    .setExpirationTime(iat + input.ttlSeconds)
    .setJti(randomUUID())
    .sign(privateKey);
}
