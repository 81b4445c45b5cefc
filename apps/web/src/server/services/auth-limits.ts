import { RateLimitError } from "@stepwise/core/contracts";
import { clearRateLimit, hitRateLimit, type Db } from "@stepwise/db";
import type { AuthLimits } from "../config";

export type AuthAction = "signin" | "signup" | "join";

/** One counter to bump: what is limited, by which key, and how many attempts a window allows. */
export interface LimitRule {
  action: AuthAction;
  scope: "email" | "ip" | "user";
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
  const from = rule.scope === "ip" ? "from your network" : rule.scope === "email" ? "for this email address" : "for your account";
  throw new RateLimitError(`Too many ${WHAT[rule.action]} ${from}: at most ${rule.max} per ${minutes(limits.windowMs)}. Try again in ${minutes(wait)}.`);
}

/** Sign-in rules: per email (password guessing on one account) and per client IP (spraying many accounts). */
export function signInRules(limits: AuthLimits, email: string, ip: string | null): LimitRule[] {
  const rules: LimitRule[] = [{ action: "signin", scope: "email", value: email, max: limits.signInPerEmail }];
  if (ip) rules.push({ action: "signin", scope: "ip", value: ip, max: limits.signInPerIp });
  return rules;
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

/** A successful sign-in forgives the failed attempts on that email, so the owner is not locked out later. */
export async function forgiveSignIn(db: Db, email: string): Promise<void> {
  await clearRateLimit(db, limitKey({ action: "signin", scope: "email", value: email }));
}
