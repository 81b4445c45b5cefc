/**
 * Graders as an operator runs them (`node --enable-source-maps apps/grader/dist/main.js`, each in a process group of its
 * own) and the ways their surroundings fail them: connections terminated by the server, locks
 * that hold a statement still while that happens, signals to the whole group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Db } from "@stepwise/db";
import { testConfig } from "./helpers";

export const graderDir = resolve(import.meta.dirname, "..");
export const repoDir = resolve(graderDir, "../..");

/** README's production grader command (after `node`), run from the repository root. */
export const PRODUCTION_COMMAND = ["--enable-source-maps", "apps/grader/dist/main.js"];

/** The same database URL with a PostgreSQL application_name, so a test can find that grader's connections. */
export function named(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("application_name", name);
  return parsed.toString();
}

export interface SpawnedGrader {
  child: ChildProcess;
  name: string;
  /** Every process this grader started carries it in its environment (see `leftovers`). */
  mark: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Grader settings for fault tests: short leases and polls, tiny real slices, no calibration and no
 * warm-up training (calibration.test.ts and service.test.ts test those; here they would only delay
 * every first claim, by ~2.3 s and more).
 */
export function graderEnv(url: string, name: string, mark: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: url.startsWith("postgres") ? named(url, name) : url,
    GRADER_WORKER_ID: name,
    GRADER_CONCURRENCY: "1",
    GRADER_POLL_MS: "50",
    GRADER_LEASE_MS: "6000",
    GRADER_HEARTBEAT_MS: "500",
    GRADER_REAP_EVERY_MS: "500",
    GRADER_TRAIN_LIMIT: "300",
    GRADER_TEST_LIMIT: "200",
    GRADER_CALIBRATE: "off",
    GRADER_CALIBRATE_EVERY_MS: "0",
    GRADER_WARM_UP: "off",
    GRADER_CACHE_DIR: testConfig(url).cacheDir,
    STEPWISE_TEST_MARK: mark,
    ...extra,
  };
}

/** The production command, in a process group of its own (as a supervisor or `pnpm start` runs it). */
export function spawnGrader(url: string, name: string, extra: Record<string, string> = {}, command?: string[]): SpawnedGrader {
  const mark = randomUUID();
  // Without a command: the production command from the repository root, as README shows it.
  const [file = process.execPath, ...args] = command ?? [process.execPath, ...PRODUCTION_COMMAND];
  const child = spawn(file, args, {
    cwd: repoDir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: graderEnv(url, name, mark, extra),
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, name, mark, output: () => output, exited };
}

/** Processes still alive that a grader started (they inherit its environment), by pid. */
export function leftovers(mark: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(`STEPWISE_TEST_MARK=${mark}`)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Is any process of the group still alive? */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 240_000,
  context: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function verdictCount(db: Db, jobId: string): Promise<number> {
  const row = await db.kysely
    .selectFrom("verdicts")
    .where("job_id", "=", jobId)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
