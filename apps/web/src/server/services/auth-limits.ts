import { RateLimitError } from "@stepwise/core/contracts";
import { clearRateLimit, hitRateLimit, type Db } from "@stepwise/db";
import type { AuthLimits } from "../config";

export type AuthAction = "signin" | "signup" | "join";

/** One counter to bump: what is limited, by which key, and how many attempts a window allows. */
export interface LimitRule {
  action: AuthAction;
  scope: "email" | "ip" | "user" | "pair" | "slot";
  value: string;
  max: number;
}

export function limitKey(rule: Pick<LimitRule, "action" | "scope" | "value">): string {
  return `${rule.action}:${rule.scope}:${rule.value}`;
}

function minutes(ms: number): string {
  const m = Math.ceil(ms / 60_000);
  return m === 1 ? "1 minute" : `${m} minutes`;
}

const WHAT: Record<AuthAction, string> = { signin: "sign-in attempts", signup: "sign-ups", join: "join-code attempts" };

/**
 * Counts one attempt against every rule (all counters move, so a blocked attempt still counts) and
 * throws a RateLimitError naming the first rule over its maximum. Counting happens before the
 * password is checked, so a blocked guess learns nothing about the password.
 */
export async function countAttempt(db: Db, rules: readonly LimitRule[], limits: Pick<AuthLimits, "windowMs">, now: number): Promise<void> {
  const counts = await Promise.all(rules.map((rule) => hitRateLimit(db, { key: limitKey(rule), windowMs: limits.windowMs, now })));
  const over = rules.findIndex((rule, i) => (counts[i] ?? 0) > rule.max);
  const rule = rules[over];
  if (!rule) return;
  const wait = limits.windowMs - (now % limits.windowMs);
  const from =
    rule.scope === "ip"
      ? "from your network"
      : rule.scope === "pair"
        ? "for this email address from your network"
        : rule.scope === "user"
          ? "for your account"
          : "for this email address";
  throw new RateLimitError(
    `Too many ${WHAT[rule.action]} ${from}: at most ${rule.max} per ${minutes(limits.windowMs)}. Try again in ${minutes(wait)}.`,
  );
}

/**
 * Once an e-mail has had its free attempts in a window, one sign-in attempt per this many ms goes
 * through for it, from anywhere: guessing slows to a crawl while the owner, who knows the password,
 * gets in after at most this wait instead of being locked out by a stranger's wrong guesses.
 */
export const SIGNIN_SLOT_MS = 5_000;

/**
 * Sign-in throttling, counted before the password is checked (a blocked guess learns nothing):
 * per client IP (spraying many accounts) and per e-mail from one IP (guessing one account), each a
 * hard limit for that IP only; per e-mail from anywhere, a slow-down rather than a lock
 * (`SIGNIN_SLOT_MS`), so nobody can lock anyone else out.
 */
export async function throttleSignIn(db: Db, limits: AuthLimits, email: string, ip: string | null, now: number): Promise<void> {
  const rules: LimitRule[] = [];
  if (ip) {
    rules.push({ action: "signin", scope: "pair", value: `${email}|${ip}`, max: limits.signInPerEmail });
    rules.push({ action: "signin", scope: "ip", value: ip, max: limits.signInPerIp });
  }
  await countAttempt(db, rules, limits, now);
  const onEmail = await hitRateLimit(db, {
    key: limitKey({ action: "signin", scope: "email", value: email }),
    windowMs: limits.windowMs,
    now,
  });
  if (onEmail <= limits.signInPerEmail) return;
  const inSlot = await hitRateLimit(db, {
    key: limitKey({ action: "signin", scope: "slot", value: email }),
    windowMs: SIGNIN_SLOT_MS,
    now,
  });
  if (inSlot <= 1) return;
  const wait = Math.max(1, Math.ceil((SIGNIN_SLOT_MS - (now % SIGNIN_SLOT_MS)) / 1000));
  throw new RateLimitError(
    `Too many sign-in attempts for this email address: one attempt per ${SIGNIN_SLOT_MS / 1000} seconds for now. Try again in ${wait} second${wait === 1 ? "" : "s"}.`,
  );
}

export function signUpRules(limits: AuthLimits, email: string, ip: string | null): LimitRule[] {
  // Per email too, so the duplicate-email answer cannot be used to test many addresses from many IPs at speed.
  const rules: LimitRule[] = [{ action: "signup", scope: "email", value: email, max: limits.signUpPerIp }];
  if (ip) rules.push({ action: "signup", scope: "ip", value: ip, max: limits.signUpPerIp });
  return rules;
}

export function joinRules(limits: AuthLimits, userId: string): LimitRule[] {
  return [{ action: "join", scope: "user", value: userId, max: limits.joinPerUser }];
}

/** A successful sign-in forgives the attempts on that email (from this IP too), so the owner is not slowed later. */
export async function forgiveSignIn(db: Db, email: string, ip: string | null): Promise<void> {
  await clearRateLimit(db, limitKey({ action: "signin", scope: "email", value: email }));
  if (ip) await clearRateLimit(db, limitKey({ action: "signin", scope: "pair", value: `${email}|${ip}` }));
}
