import { availableParallelism } from "node:os";
import { z } from "zod";

const int = (min: number) => z.coerce.number().int().min(min);

/**
 * The grader's whole configuration, parsed once at the edge. Every key has a default and a unit.
 * Environment names are the upper-snake-case keys prefixed with GRADER_ (DATABASE_URL is shared).
 */
export const GraderConfig = z
  .object({
    databaseUrl: z.string().min(1).describe("SQLite path/`file:` URL or postgres:// URL"),
    concurrency: int(1).max(64).default(availableParallelism()).describe("Jobs trained at once (one child process each)"),
    leaseMs: int(1000).default(60_000).describe("Lease on a claimed job, ms; renewed by heartbeat"),
    heartbeatMs: int(100).default(5_000).describe("Heartbeat interval, ms; well under the lease"),
    pollMs: int(10).default(500).describe("Idle wait between claim attempts, ms"),
    reapEveryMs: int(100).default(15_000).describe("How often expired leases are reaped, ms"),
    childJobs: int(1).max(10_000).default(25).describe("Runs one training child trains before it is replaced (1: a fresh process per run)"),
    memoryMb: int(256).default(3072).describe("Memory cap of a training child (V8 heap and RSS), MiB"),
    hardTimeoutMs: int(1000)
      .default(60 * 60_000)
      .describe(
        "Wall-clock ceiling on one training run, ms: catches a child that blocks or sleeps; generous, since budgets count CPU time",
      ),
    cpuGraceMs: int(0)
      .default(60_000)
      .describe(
        "CPU time a training run may use beyond the exercise's training budget (loading data, building the model, predicting the test set) before it is stopped as timed out, ms",
      ),
    cpuCeilingMs: int(1000)
      .default(30 * 60_000)
      .describe("Most CPU time one training run may use whatever the exercise's budget, ms"),
    backend: z.enum(["auto", "tensorflow", "wasm", "cpu"]).default("auto").describe("Training backend preference"),
    cacheDir: z.string().min(1).describe("Where prepared datasets are cached as binary"),
    /** Scale-down for tests and CI: train and evaluate on the first N examples of seeded permutations. */
    trainLimit: int(10).optional().describe("Cap on training examples per job (tests/CI only)"),
    testLimit: int(10).optional().describe("Cap on test examples per job (tests/CI only)"),
    workerId: z.string().min(1).describe("Name of this grader process in job rows"),
    httpPort: z.coerce.number().int().min(0).max(65535).optional().describe("Port of /healthz and /metrics (0: any free port; unset: off)"),
    sandbox: z
      .enum(["required", "auto", "off"])
      .default("auto")
      .describe(
        "OS sandbox of training children (bubblewrap + uid drop): required refuses to start without it, auto uses it when present, off never",
      ),
    drainMs: int(0)
      .default(25_000)
      .describe(
        "On SIGTERM/SIGINT, how long running jobs may finish before they are handed back to the queue uncharged, ms (fits a 30 s stop timeout)",
      ),
    warmUp: z
      .enum(["on", "off"])
      .default("on")
      .describe(
        "Before the first claim, build the MNIST cache and train a tiny model in every warm child, so the first job costs what later ones do (on/off)",
      ),
    calibrate: z
      .enum(["on", "off"])
      .default("on")
      .describe(
        "Measure this grader's training speed at start (and every calibrateEveryMs) and publish it for the web app's time estimates (on/off; off: the grader starts claiming at once, its jobs' time left starts from their first measured epoch, and the web app uses the slowest figure other graders publish, else its configured one)",
      ),
    calibrateEveryMs: int(0)
      .default(6 * 3_600_000)
      .describe("How often the grader re-measures and republishes its training speed, ms (0: only at start)"),
  })
  .strict();
export type GraderConfig = z.infer<typeof GraderConfig>;

/** CPU time one run of `budgetSeconds` may use before the grader stops it, ms. */
export function cpuLimitMs(config: Pick<GraderConfig, "cpuGraceMs" | "cpuCeilingMs">, budgetSeconds: number): number {
  return Math.min(budgetSeconds * 1000 + config.cpuGraceMs, config.cpuCeilingMs);
}

export function configFromEnv(env: NodeJS.ProcessEnv, defaults: { databaseUrl: string; cacheDir: string; workerId: string }): GraderConfig {
  const pick = (name: string) => (env[name] === undefined || env[name] === "" ? undefined : env[name]);
  const parsed = GraderConfig.safeParse({
    databaseUrl: pick("DATABASE_URL") ?? defaults.databaseUrl,
    concurrency: pick("GRADER_CONCURRENCY"),
    leaseMs: pick("GRADER_LEASE_MS"),
    heartbeatMs: pick("GRADER_HEARTBEAT_MS"),
    pollMs: pick("GRADER_POLL_MS"),
    reapEveryMs: pick("GRADER_REAP_EVERY_MS"),
    childJobs: pick("GRADER_CHILD_JOBS"),
    memoryMb: pick("GRADER_MEMORY_MB"),
    hardTimeoutMs: pick("GRADER_HARD_TIMEOUT_MS"),
    cpuGraceMs: pick("GRADER_CPU_GRACE_MS"),
    cpuCeilingMs: pick("GRADER_CPU_CEILING_MS"),
    backend: pick("GRADER_BACKEND"),
    cacheDir: pick("GRADER_CACHE_DIR") ?? defaults.cacheDir,
    trainLimit: pick("GRADER_TRAIN_LIMIT"),
    testLimit: pick("GRADER_TEST_LIMIT"),
    workerId: pick("GRADER_WORKER_ID") ?? defaults.workerId,
    httpPort: pick("GRADER_HTTP_PORT"),
    drainMs: pick("GRADER_DRAIN_MS"),
    calibrate: pick("GRADER_CALIBRATE"),
    calibrateEveryMs: pick("GRADER_CALIBRATE_EVERY_MS"),
    warmUp: pick("GRADER_WARM_UP"),
    sandbox: pick("GRADER_SANDBOX"),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid grader configuration: ${problems}`);
  }
  return parsed.data;
}
