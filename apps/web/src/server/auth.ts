import { randomBytes } from "node:crypto";
import { authPasswords, authRateLimitStorage, authStorage, type Db } from "@stepwise/db";
import { betterAuth } from "better-auth";
import type { ApiConfig } from "./config";
import { SESSION_COOKIE } from "./session";

/**
 * Accounts on better-auth (issue 6): it hashes passwords, creates and deletes the database sessions and
 * writes the session cookie. The UI keeps calling our tRPC `auth.*` procedures, which call `auth.api.*`
 * (so the CSRF/Origin rules of `security.ts` and our messages stay in front of it); better-auth's own
 * HTTP endpoints are not mounted.
 */

/** The sign-up form's password rule; the form shows the same numbers. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

/**
 * The header our procedures hand better-auth the client IP in (`http.ts` decides it from the socket
 * and `TRUSTED_PROXIES`); better-auth records it on the session and keys its own limits by it.
 */
export const CLIENT_IP_HEADER = "x-stepwise-client-ip";

// For configs built in-process without a secret (tests): valid only inside this process.
const IN_PROCESS_SECRET = randomBytes(32).toString("base64url");

export function authSecretOf(config: ApiConfig): string {
  return config.authSecret ?? IN_PROCESS_SECRET;
}

function buildAuth(db: Db, config: ApiConfig, secure: boolean) {
  const storage = authStorage(db);
  const limits = config.authLimits;
  const window = Math.max(1, Math.round(limits.windowMs / 1000));
  return betterAuth({
    appName: "Stepwise",
    secret: authSecretOf(config),
    ...storage,
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: true,
      password: authPasswords,
    },
    session: { ...storage.session, expiresIn: Math.max(1, Math.round(config.sessionTtlMs / 1000)) },
    // On in every environment and kept in the database (its default is memory, and off outside
    // production). It guards better-auth's HTTP router, which we do not mount: the tRPC procedures
    // count their own per-e-mail and per-IP limits (`services/auth-limits.ts`) in the same table.
    rateLimit: {
      enabled: true,
      window,
      max: limits.signInPerIp,
      customStorage: authRateLimitStorage(db),
      customRules: {
        "/sign-in/email": { window, max: limits.signInPerIp },
        "/sign-up/email": { window, max: limits.signUpPerIp },
      },
    },
    advanced: {
      ...storage.advanced,
      cookiePrefix: "stepwise",
      cookies: { session_token: { name: SESSION_COOKIE } },
      // Secure (and the `__Secure-` name) when the request came over HTTPS; one instance per kind.
      useSecureCookies: secure,
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    telemetry: { enabled: false },
    logger: { level: "error" },
  });
}

export type Auth = ReturnType<typeof buildAuth>;

const instances = new WeakMap<Db, Map<string, Auth>>();

/** The better-auth instance for this database and configuration (built once, then reused). */
export function authFor(db: Db, config: ApiConfig, secure: boolean): Auth {
  const key = JSON.stringify([secure, authSecretOf(config), config.sessionTtlMs, config.authLimits]);
  let byKey = instances.get(db);
  if (!byKey) {
    byKey = new Map();
    instances.set(db, byKey);
  }
  let auth = byKey.get(key);
  if (!auth) {
    auth = buildAuth(db, config, secure);
    byKey.set(key, auth);
  }
  return auth;
}
