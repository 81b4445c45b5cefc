/**
 * Starts the platform as production runs it, as separate processes: the built web app (`next start`)
 * and one grader, on a fresh SQLite file seeded with the demo course. The web app and the grader
 * never import each other; this harness only spawns them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CourseMode } from "@stepwise/core/workflow";
import { cancelJob, courseByJoinCode, migrate, openDb, openJobsOfCourse, updateCourse } from "@stepwise/db";
import { DEMO, seedDemo } from "../src/server/seed";

import { ensureBuilt, nextBin, repoDir, webDir } from "./build";
import { runDir, startTime } from "./run-dir";

export { repoDir, webDir };

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface Platform {
  url: string;
  databaseUrl: string;
  logs: () => string;
  stop: () => Promise<void>;
}

async function waitForHttp(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the web app exited before serving ${url}`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** The demo course's join code (apps/web/src/server/seed.ts). */
const DEMO_JOIN_CODE = "DEMO-2026";

/**
 * Migrates and seeds the demo course in this process (what `pnpm seed` does, without starting pnpm
 * and tsx for it), in the `independent` mode, where every step opens: the few tests that use the demo's
 * own accounts open one step's page directly.
 */
async function seedDatabase(databaseUrl: string): Promise<void> {
  const db = await openDb(databaseUrl);
  try {
    await migrate(db);
    await seedDemo(db, Date.now());
    const course = await courseByJoinCode(db, DEMO_JOIN_CODE);
    if (!course) throw new Error("the seeded demo course is missing");
    await updateCourse(db, course.id, { mode: "independent" });
  } finally {
    await db.close();
  }
}

/**
 * The grader under node itself, as production runs it (the compiled build, which the test run's
 * global setup brings up to date): pnpm would add its start-up and not pass signals on.
 */
const GRADER_ARGV = ["--enable-source-maps", "dist/main.js"];

export async function startPlatform(options: { graderEnv?: Record<string, string> } = {}): Promise<Platform> {
  await ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), "stepwise-e2e-"));
  const databaseUrl = `file:${join(dataDir, "stepwise.db")}`;
  // Demo mode, as the quick start runs it: the sign-in page offers the demo accounts.
  const env = { ...process.env, DATABASE_URL: databaseUrl, NEXT_TELEMETRY_DISABLED: "1", STEPWISE_DEMO: "1" };
  await seedDatabase(databaseUrl);

  const port = await freePort();
  let output = "";
  const children: ChildProcess[] = [];
  const launch = (command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}) => {
    const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    children.push(child);
    const dir = runDir();
    if (dir && child.pid !== undefined) writeFileSync(join(dir, String(child.pid)), startTime(child.pid) ?? "");
    return child;
  };
  // A worker that ends without stopping its platforms (the shared one lives until then) takes them along.
  const killOnExit = () => {
    for (const child of children) {
      try {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  };
  process.once("exit", killOnExit);
  const web = launch(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], webDir);
  launch(process.execPath, GRADER_ARGV, join(repoDir, "apps", "grader"), {
    GRADER_CONCURRENCY: "1",
    // The warm-up trains a model so that a grader's first job costs what later ones do; here it only
    // takes a core from the browser while the first page loads, and most files grade nothing.
    GRADER_WARM_UP: "off",
    // The start-up speed measurement (~3.5 s of a core) feeds time estimates; a file that shows
    // them (tuning) asks for it with `graderEnv`, the others show the configured figure's.
    GRADER_CALIBRATE: "off",
    GRADER_TRAIN_LIMIT: "2000",
    GRADER_TEST_LIMIT: "1000",
    GRADER_CACHE_DIR: join(repoDir, "data", "cache"),
    ...options.graderEnv,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, 60_000, () => web.exitCode === null);
  return {
    url,
    databaseUrl,
    logs: () => output,
    stop: async () => {
      process.off("exit", killOnExit);
      const running = children.filter((child) => child.pid !== undefined && child.exitCode === null && child.signalCode === null);
      const exited = running.map((child) => new Promise<void>((r) => child.once("exit", () => r())));
      const signal = (name: NodeJS.Signals) => {
        for (const child of running) {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, name);
          } catch {
            /* already gone */
          }
        }
      };
      signal("SIGTERM");
      // Both drain at once when idle; a second's grace, then the process groups are killed.
      const grace = new Promise<"late">((r) => setTimeout(() => r("late"), 1000).unref());
      if ((await Promise.race([Promise.all(exited), grace])) === "late") {
        signal("SIGKILL");
        await Promise.all(exited);
      }
      const dir = runDir();
      for (const child of children) if (dir && child.pid !== undefined) rmSync(join(dir, String(child.pid)), { force: true });
    },
  };
}

/**
 * The platform this test worker's browser test files share: started by the first file that asks, kept
 * until the worker ends (the run's global teardown stops it). Starting one costs a `next start` and a
 * grader (~5 s of CPU, and a cold server's first render of each page); the files only need their own
 * accounts and course on it (`addTenant`), not their own processes. A file that needs a grader of its own
 * (other settings, or a queue nobody else touches) starts one with `startPlatform`.
 */
let shared: Promise<Platform> | undefined;
export function sharedPlatform(): Promise<Platform> {
  shared ??= startPlatform().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/** A test file's own demo accounts and copy of the demo course on a platform. */
export interface Tenant {
  student: { email: string; password: string };
  instructor: { email: string; password: string };
  joinCode: string;
  courseId: string;
}

let tenants = 0;

/**
 * Seeds a copy of the demo course with its own instructor and student, e.g. `student@t3-4242.stepwise.test`
 * (no tenant's address contains another's, nor the demo's `student@stepwise.test`), in `mode`.
 */
export async function addTenant(platform: Pick<Platform, "databaseUrl">, mode: CourseMode = "independent"): Promise<Tenant> {
  tenants += 1;
  const tag = `t${tenants}-${process.pid}`;
  const accounts = {
    instructor: { ...DEMO.instructor, email: `instructor@${tag}.stepwise.test` },
    student: { ...DEMO.student, email: `student@${tag}.stepwise.test` },
    joinCode: `E2E-${tag}`.toUpperCase(),
  };
  const db = await openDb(platform.databaseUrl);
  try {
    const seeded = await seedDemo(db, Date.now(), accounts);
    await updateCourse(db, seeded.courseId, { mode });
    return { ...seeded, joinCode: accounts.joinCode };
  } finally {
    await db.close();
  }
}

/**
 * Cancels a course's queued and running jobs: a file done with a shared platform leaves no training
 * behind for the next file's jobs to wait on (a running one stops at its next heartbeat).
 */
export async function cancelOpenJobs(platform: Pick<Platform, "databaseUrl">, courseId: string): Promise<void> {
  const db = await openDb(platform.databaseUrl);
  try {
    for (const id of await openJobsOfCourse(db, courseId)) await cancelJob(db, id, Date.now());
  } finally {
    await db.close();
  }
}
