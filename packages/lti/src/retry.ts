import type { PlatformServiceError } from "./errors";

/**
 * When to try a failed passback again: the platform's Retry-After when it gave one, else 30 s doubling
 * per attempt up to an hour. A rate-limited platform is given time, never a burst.
 */
export function passbackDelayMs(error: PlatformServiceError, attempt: number): number {
  const backoff = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.max(error.retryAfterMs ?? 0, backoff);
}
