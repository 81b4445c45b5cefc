import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";

/**
 * The web app's configuration, parsed once at the edge. Nothing else reads `process.env`.
 * Every duration is in milliseconds, every size in bytes.
 */
const flag = z.enum(["0", "1", "true", "false"]).transform((value) => value === "1" || value === "true");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** `file:/abs/path.db`, `:memory:` or `postgres://…`; defaults to `<repo>/data/stepwise.db`. */
  DATABASE_URL: z.string().min(1).optional(),
  /** How long a sign-in lasts, ms (default 7 days). */
  SESSION_TTL_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .default(7 * 24 * 3_600_000),
  /**
   * Demo mode: `pnpm seed` creates the demo accounts (published passwords) and /signin shows them.
   * Off unless set explicitly (`scripts/start.sh` and the browser tests set it).
   */
  STEPWISE_DEMO: flag.default(false),
  /** How often `submission.watch` polls the database, ms. */
  WATCH_POLL_MS: z.coerce.number().int().min(50).max(10_000).default(500),
  /** Submissions one student may make to one assignment per rolling minute. */
  SUBMISSIONS_PER_MINUTE: z.coerce.number().int().min(1).default(5),
  /**
   * Effective training throughput of one grader slot, GFLOPS, for the time estimate checked at submit
   * when no grader has published its own measurement in the last day (graders measure at start);
   * 0 turns the check off.
   */
  GRADER_EFFECTIVE_GFLOPS: z.coerce.number().min(0).default(8),
  /** Length of one authentication rate-limit window, ms (default 15 minutes). */
  AUTH_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(15 * 60_000),
  /** Sign-in attempts per email address per window. */
  SIGNIN_PER_EMAIL: z.coerce.number().int().min(1).default(10),
  /** Sign-in attempts per client IP per window (a classroom shares one address behind NAT). */
  SIGNIN_PER_IP: z.coerce.number().int().min(1).default(100),
  /** Sign-ups per client IP per window. */
  SIGNUP_PER_IP: z.coerce.number().int().min(1).default(20),
  /** Join-code attempts per user per window (join codes are short; this stops guessing). */
  JOIN_PER_USER: z.coerce.number().int().min(1).default(20),
  /**
   * Reverse proxies in front of the app that append to `X-Forwarded-For` (nginx, a load balancer):
   * the client IP for per-IP rate limits is the entry that many hops from the right. 0 (default):
   * the header is ignored, since any client can send one, and per-IP limits stay off (per e-mail and
   * per account limits still apply).
   */
  TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Key that signs session cookies (better-auth's secret), at least 32 characters. Unset: one is
   * generated once and kept in `<repo>/data/auth-secret` (mode 0600), so restarts keep sessions;
   * several web instances must share one, so set it when running more than one.
   */
  BETTER_AUTH_SECRET: z.string().min(32, { message: "BETTER_AUTH_SECRET must be at least 32 characters" }).optional(),
  /** Largest tRPC request body accepted, bytes (default 512 KiB). */
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(512 * 1024),
  /**
   * Largest body of a `courseDataset.upload` request, bytes (default 6 MiB): a CSV of up to 5 MB
   * grows when JSON-escaped (quotes, newlines), so it needs more room than any other request.
   */
  MAX_DATASET_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(6 * 1024 * 1024),
});

export type Env = Omit<z.infer<typeof EnvSchema>, "DATABASE_URL" | "BETTER_AUTH_SECRET"> & {
  DATABASE_URL: string;
  BETTER_AUTH_SECRET: string;
};

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

function dataDir(): string {
  const dir = join(findRepoRoot(), "data");
  mkdirSync(dir, { recursive: true });
  return dir;
}

function defaultDatabaseUrl(): string {
  return `file:${join(dataDir(), "stepwise.db")}`;
}

/**
 * The auth secret kept in `dir/auth-secret`, created on first use (only the owner may read it). Two
 * processes starting at once (the web app and the seed) may both create one: each writes its own
 * file and hard-links it into place, which fails if the name exists, so all end up reading the winner's
 * complete file.
 */
export function persistedAuthSecret(dir: string): string {
  const path = join(dir, "auth-secret");
  if (!existsSync(path)) {
    const draft = join(dir, `.auth-secret-${process.pid}-${randomBytes(4).toString("hex")}`);
    writeFileSync(draft, randomBytes(32).toString("base64url"), { mode: 0o600 });
    try {
      linkSync(draft, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  const secret = readFileSync(path, "utf8").trim();
  if (secret.length < 32)
    throw new Error(`${path} must hold a secret of at least 32 characters, got ${secret.length}; delete it to generate a new one.`);
  return secret;
}

/**
 * `TRUSTED_PROXIES` alone, for the page proxy (`src/proxy.ts`), which runs before any route and must
 * not create the data folder or the auth secret as `env()` does.
 */
/** Development relaxes the CSP for Next's dev overlay; read alone so the proxy needs no database or secret. */
export function isDevelopment(): boolean {
  return EnvSchema.shape.NODE_ENV.parse(process.env.NODE_ENV) === "development";
}

export function trustedProxies(): number {
  return EnvSchema.shape.TRUSTED_PROXIES.parse(process.env.TRUSTED_PROXIES);
}

/** The settings as given (no defaults derived from the file system); `env()` is this for `process.env`. */
export function parseEnv(vars: Record<string, string | undefined>): z.infer<typeof EnvSchema> {
  return EnvSchema.parse(vars);
}

let cached: Env | undefined;

/** Parsed lazily so `next build` never touches the file system or the database. */
export function env(): Env {
  if (!cached) {
    const parsed = parseEnv(process.env);
    cached = {
      ...parsed,
      DATABASE_URL: parsed.DATABASE_URL ?? defaultDatabaseUrl(),
      BETTER_AUTH_SECRET: parsed.BETTER_AUTH_SECRET ?? persistedAuthSecret(dataDir()),
    };
  }
  return cached;
}
