/**
 * Starts the platform as production runs it, as separate processes: the built web app (`next start`)
 * and one grader, on a fresh SQLite file seeded with the demo course. The web app and the grader
 * never import each other; this harness only spawns them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CourseMode } from "@stepwise/core/workflow";
import { courseByJoinCode, migrate, openDb, updateCourse } from "@stepwise/db";
import { seedDemo } from "../src/server/seed";

import { ensureBuilt, nextBin, repoDir, webDir } from "./build";

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
 * and tsx for it), then sets `courseMode`: browser tests of one step's page open every step
 * (`independent`, the default here); the journey test asks for `guided`.
 */
async function seedDatabase(databaseUrl: string, mode: CourseMode): Promise<void> {
  const db = await openDb(databaseUrl);
  try {
    await migrate(db);
    await seedDemo(db, Date.now());
    const course = await courseByJoinCode(db, DEMO_JOIN_CODE);
    if (!course) throw new Error("the seeded demo course is missing");
    await updateCourse(db, course.id, { mode });
  } finally {
    await db.close();
  }
}

/**
 * The grader under node itself, as production runs it (the compiled build, which the test run's
 * global setup brings up to date): pnpm would add its start-up and not pass signals on.
 */
const GRADER_ARGV = ["--enable-source-maps", "dist/main.js"];

export async function startPlatform(options: { graderEnv?: Record<string, string>; courseMode?: CourseMode } = {}): Promise<Platform> {
  await ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), "stepwise-e2e-"));
  const databaseUrl = `file:${join(dataDir, "stepwise.db")}`;
  // Demo mode: the seed creates the demo accounts every browser test signs in with.
  const env = { ...process.env, DATABASE_URL: databaseUrl, NEXT_TELEMETRY_DISABLED: "1", STEPWISE_DEMO: "1" };
  await seedDatabase(databaseUrl, options.courseMode ?? "independent");

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
    return child;
  };
  const web = launch(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], webDir);
  launch(process.execPath, GRADER_ARGV, join(repoDir, "apps", "grader"), {
    GRADER_CONCURRENCY: "1",
    // The warm-up trains a model so that a grader's first job costs what later ones do; here it only
    // takes a core from the browser while the first page loads, and most files grade nothing.
    GRADER_WARM_UP: "off",
    // The start-up speed measurement (~2.3 s of a core) feeds time estimates; a file that shows
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
    },
  };
}
