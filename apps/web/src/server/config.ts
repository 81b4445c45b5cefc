import { env } from "../env";

/** The subset of configuration the API needs; tests build their own. */
export interface ApiConfig {
  sessionTtlMs: number;
  watchPollMs: number;
  submissionsPerMinute: number;
}

export function apiConfigFromEnv(): ApiConfig {
  const e = env();
  return { sessionTtlMs: e.SESSION_TTL_MS, watchPollMs: e.WATCH_POLL_MS, submissionsPerMinute: e.SUBMISSIONS_PER_MINUTE };
}
