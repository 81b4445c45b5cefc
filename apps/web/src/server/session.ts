import { constantTimeEqual, makeSignature } from "better-auth/crypto";

/**
 * The session cookie. better-auth writes it (signed, httpOnly, SameSite=Lax, and over HTTPS Secure
 * with the `__Secure-` prefix browsers enforce); these helpers read it back.
 */
export const SESSION_COOKIE = "stepwise_session";
export const SECURE_SESSION_COOKIE = `__Secure-${SESSION_COOKIE}`;

/** Reads one cookie from a `Cookie` request header. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return safeDecode(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * The session cookie of a request, the `__Secure-` one first: only a browser talking HTTPS can have
 * set that one, whereas a plain-named cookie can be planted from a sibling HTTP site.
 */
export function sessionCookieOf(cookieHeader: string | null): string | null {
  return readCookie(cookieHeader, SECURE_SESSION_COOKIE) ?? readCookie(cookieHeader, SESSION_COOKIE);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

// better-auth (through better-call) signs a cookie as `<value>.<base64 HMAC-SHA256 of value>`.
const SIGNATURE_LENGTH = 44;

function splitSigned(cookieValue: string): { value: string; signature: string } | null {
  const decoded = safeDecode(cookieValue);
  const dot = decoded.lastIndexOf(".");
  if (dot < 1) return null;
  const signature = decoded.slice(dot + 1);
  if (signature.length !== SIGNATURE_LENGTH || !signature.endsWith("=")) return null;
  return { value: decoded.slice(0, dot), signature };
}

/** Whether a value has the shape of a signed cookie (not whether the signature is right). */
export function looksSigned(cookieValue: string): boolean {
  return splitSigned(cookieValue) !== null;
}

/**
 * The session token inside a signed session cookie, or null when the value is not signed or its
 * signature was not made with `secret` (a tampered or forged cookie). Same check as better-auth's own.
 */
export async function verifySessionCookie(cookieValue: string, secret: string): Promise<string | null> {
  const parts = splitSigned(cookieValue);
  if (!parts) return null;
  const expected = await makeSignature(parts.value, secret);
  return constantTimeEqual(expected, parts.signature) ? parts.value : null;
}

/** The signed cookie value better-auth would set for `token` (URI-encoded, as in `Set-Cookie`). */
export async function signSessionToken(token: string, secret: string): Promise<string> {
  return encodeURIComponent(`${token}.${await makeSignature(token, secret)}`);
}
