/**
 * A real grader process on a test database, spawned as production runs it (the web app never
 * imports the grader), scaled down to small slices of the data.
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..", "..", "..");
const graderDir = join(repo, "apps", "grader");

export interface GraderProcess {
  /** Everything the grader wrote to stdout and stderr so far. */
  log: () => string;
  /** Sends SIGTERM and waits until the process has exited. */
  stop: () => Promise<void>;
}

export function spawnGrader(databaseUrl: string): GraderProcess {
  let log = "";
  // Under node itself, as production runs it (the compiled build, which the test run's global setup
  // brings up to date): pnpm would not pass the SIGTERM of `stop` on.
  const grader = spawn(process.execPath, ["--enable-source-maps", "dist/main.js"], {
    cwd: graderDir,
    // No warm-up training: these tests time nothing, and it would delay the first claim.
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      GRADER_CONCURRENCY: "1",
      GRADER_WARM_UP: "off",
      // These tests read verdicts, not time estimates: no start-up speed measurement (~2.3 s of a core).
      GRADER_CALIBRATE: "off",
      GRADER_POLL_MS: "100",
      GRADER_TRAIN_LIMIT: "2000",
      GRADER_TEST_LIMIT: "1000",
      GRADER_CACHE_DIR: join(repo, "data", "cache"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  grader.stdout.on("data", (c: Buffer) => (log += c.toString()));
  grader.stderr.on("data", (c: Buffer) => (log += c.toString()));
  const exited = new Promise<void>((r) => grader.once("exit", () => r()));
  return {
    log: () => log,
    stop: async () => {
      grader.kill("SIGTERM");
      await exited;
    },
  };
}
