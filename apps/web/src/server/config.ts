import { env } from "../env";

/** Authentication rate limits: attempts allowed per key in one fixed window. */
export interface AuthLimits {
  windowMs: number;
  signInPerEmail: number;
  signInPerIp: number;
  signUpPerIp: number;
  joinPerUser: number;
}

/** The subset of configuration the API needs; tests build their own. */
export interface ApiConfig {
  sessionTtlMs: number;
  watchPollMs: number;
  submissionsPerMinute: number;
  authLimits: AuthLimits;
  /**
   * Fallback grader throughput for the training-time estimates, GFLOPS, used while no grader has
   * published a measurement (`services/grader-speed.ts`). 0: no time check at submit; absent: the
   * check runs only with a measured figure.
   */
  graderGflops?: number;
  /**
   * Key that signs session cookies (better-auth's secret). Always set from the environment; a config
   * built in-process without one (tests) gets a random key per process (`server/auth.ts`).
   */
  authSecret?: string;
  /**
   * Largest request body of `courseDataset.upload`, bytes; every other request keeps the general
   * cap. Absent: the general cap applies to uploads too.
   */
  maxDatasetUploadBytes?: number;
  /**
   * Whether `auth.requestPasswordReset` writes the reset link to the server log (development). In
   * production the log names only the e-mail, and the operator makes a link with `pnpm reset-link`.
   * Co-teaching invitation links are logged under the same rule (the inviter also sees theirs once).
   */
  logResetLinks?: boolean;
}

export function apiConfigFromEnv(): ApiConfig {
  const e = env();
  return {
    sessionTtlMs: e.SESSION_TTL_MS,
    watchPollMs: e.WATCH_POLL_MS,
    submissionsPerMinute: e.SUBMISSIONS_PER_MINUTE,
    graderGflops: e.GRADER_EFFECTIVE_GFLOPS,
    authSecret: e.BETTER_AUTH_SECRET,
    maxDatasetUploadBytes: e.MAX_DATASET_UPLOAD_BYTES,
    logResetLinks: e.NODE_ENV !== "production",
    authLimits: {
      windowMs: e.AUTH_WINDOW_MS,
      signInPerEmail: e.SIGNIN_PER_EMAIL,
      signInPerIp: e.SIGNIN_PER_IP,
      signUpPerIp: e.SIGNUP_PER_IP,
      joinPerUser: e.JOIN_PER_USER,
    },
  };
}
