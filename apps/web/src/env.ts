import { mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";

/**
 * The web app's configuration, parsed once at the edge. Nothing else reads `process.env`.
 * Every duration is in milliseconds, every size in bytes.
 */
const flag = z
  .enum(["0", "1", "true", "false"])
  .transform((value) => value === "1" || value === "true");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** `file:/abs/path.db`, `:memory:` or `postgres://…`; defaults to `<repo>/data/stepwise.db`. */
  DATABASE_URL: z.string().min(1).optional(),
  /** How long a sign-in lasts, ms (default 7 days). */
  SESSION_TTL_MS: z.coerce.number().int().min(60_000).default(7 * 24 * 3_600_000),
  /** Show the demo credentials on /signin (dev/demo only). */
  STEPWISE_DEMO: flag.default(true),
  /** How often `submission.watch` polls the database, ms. */
  WATCH_POLL_MS: z.coerce.number().int().min(50).max(10_000).default(500),
  /** Submissions one student may make to one assignment per rolling minute. */
  SUBMISSIONS_PER_MINUTE: z.coerce.number().int().min(1).default(5),
  /**
   * Effective training throughput of one grader slot, GFLOPS, for the time estimate checked at submit.
   * `pnpm bench` measures it (the wasm harness reached ~7–12 on a 2-core machine); 0 turns the check off.
   */
  GRADER_EFFECTIVE_GFLOPS: z.coerce.number().min(0).default(8),
  /** Length of one authentication rate-limit window, ms (default 15 minutes). */
  AUTH_WINDOW_MS: z.coerce.number().int().min(1_000).default(15 * 60_000),
  /** Sign-in attempts per email address per window. */
  SIGNIN_PER_EMAIL: z.coerce.number().int().min(1).default(10),
  /** Sign-in attempts per client IP per window (a classroom shares one address behind NAT). */
  SIGNIN_PER_IP: z.coerce.number().int().min(1).default(100),
  /** Sign-ups per client IP per window. */
  SIGNUP_PER_IP: z.coerce.number().int().min(1).default(20),
  /** Join-code attempts per user per window (join codes are short; this stops guessing). */
  JOIN_PER_USER: z.coerce.number().int().min(1).default(20),
  /** Take the client IP for rate limits from the last `X-Forwarded-For` hop (appended by a reverse proxy, or set by `next start`). */
  TRUST_PROXY: flag.default(true),
  /** Largest tRPC request body accepted, bytes (default 512 KiB). */
  MAX_REQUEST_BYTES: z.coerce.number().int().min(1024).default(512 * 1024),
});

export type Env = Omit<z.infer<typeof EnvSchema>, "DATABASE_URL"> & { DATABASE_URL: string };

/** The folder holding `pnpm-workspace.yaml`, found by walking up from the working directory. */
export function findRepoRoot(start: string = process.cwd()): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Expected a pnpm-workspace.yaml in ${start} or one of its parents, found none.`);
    dir = parent;
  }
}

function defaultDatabaseUrl(): string {
  const dataDir = join(findRepoRoot(), "data");
  mkdirSync(dataDir, { recursive: true });
  return `file:${join(dataDir, "stepwise.db")}`;
}

let cached: Env | undefined;

/** Parsed lazily so `next build` never touches the file system or the database. */
export function env(): Env {
  if (!cached) {
    const parsed = EnvSchema.parse(process.env);
    cached = { ...parsed, DATABASE_URL: parsed.DATABASE_URL ?? defaultDatabaseUrl() };
  }
  return cached;
}
