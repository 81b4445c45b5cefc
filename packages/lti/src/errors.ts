/**
 * Named errors of the LTI rules. Each says what was expected and what came, in words an LMS
 * administrator can act on; the web routes map them to HTTP statuses.
 */

/** Why a launch or deep-linking message is refused. The code is stable; the message is for people. */
export type LaunchRefusal =
  | "unknown_platform"
  | "unknown_deployment"
  | "bad_request"
  | "bad_state"
  | "bad_signature"
  | "bad_claims"
  | "expired"
  | "replayed"
  | "wrong_audience";

export class LaunchError extends Error {
  override readonly name = "LaunchError";
  constructor(
    readonly code: LaunchRefusal,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A platform service (token, AGS, NRPS) answered with an error. `retryable` is true for answers that
 * say "later" (429, 5xx, and Canvas's 403 with `x-rate-limit-remaining: 0`); `retryAfterMs` is the
 * platform's own hint when it gave one.
 */
export class PlatformServiceError extends Error {
  override readonly name = "PlatformServiceError";
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}
