/**
 * The built web app every browser test starts (`next start` serves `.next`). Built once per change of
 * the sources: the e2e project's global setup starts `next build` in the background as the run begins,
 * so it overlaps the unit tests, and browser test files — which run in parallel with each other and
 * with every other project — wait for it. A lock directory (mkdir is atomic) keeps two processes from
 * building into the same `.next` at once; a lock whose holder died is taken over.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const webDir = resolve(import.meta.dirname, "..");
export const repoDir = resolve(webDir, "..", "..");

/** `next`'s own bin, run by node: pnpm would add its start-up and not pass signals on. */
export const nextBin = createRequire(join(webDir, "package.json")).resolve("next/dist/bin/next");

const lockDir = join(tmpdir(), `stepwise-next-build-${createHash("sha1").update(webDir).digest("hex").slice(0, 12)}`);
const buildEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

/** Not sources: installed dependencies and build outputs (e.g. the native addon's, rebuilt by its own script). */
const NOT_SOURCES = new Set(["node_modules", "build", "dist", ".turbo", ".next"]);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && NOT_SOURCES.has(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** A build newer than every source file exists (a clean clone never has one). */
function buildIsFresh(): boolean {
  const buildId = join(webDir, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const sources = Math.max(...["src", join("..", "..", "packages")].map((d) => newestMtime(join(webDir, d))));
  return statSync(buildId).mtimeMs > sources;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the build lock for `pid`; false while another live process holds it. */
function takeLock(pid: number): boolean {
  try {
    mkdirSync(lockDir);
  } catch {
    const holder = Number(existsSync(join(lockDir, "pid")) ? readFileSync(join(lockDir, "pid"), "utf8") : Number.NaN);
    // No pid yet: the holder is between mkdir and writing it.
    if (Number.isNaN(holder) || alive(holder)) return false;
    rmSync(lockDir, { recursive: true, force: true });
    return takeLock(pid);
  }
  writeFileSync(join(lockDir, "pid"), String(pid));
  return true;
}

function releaseLock(): void {
  rmSync(lockDir, { recursive: true, force: true });
}

/**
 * Starts `next build` in the background unless the build is fresh or another process is building;
 * returns the build process, if one was started. The lock is released when it exits.
 */
export function startBuild(): ChildProcess | undefined {
  if (buildIsFresh() || !takeLock(process.pid)) return undefined;
  const child = spawn(process.execPath, [nextBin, "build"], { cwd: webDir, stdio: "inherit", env: buildEnv });
  child.once("exit", releaseLock);
  child.once("error", releaseLock);
  return child;
}

/**
 * Returns once a fresh build exists: waits while another process builds, builds here when nobody
 * does (a background build that failed leaves no fresh build, so its error is seen here again).
 */
export async function ensureBuilt(): Promise<void> {
  for (;;) {
    if (buildIsFresh()) return;
    if (takeLock(process.pid)) {
      try {
        if (buildIsFresh()) return;
        const result = spawnSync(process.execPath, [nextBin, "build"], { cwd: webDir, stdio: "inherit", env: buildEnv });
        if (result.status !== 0) throw new Error(`next build failed with exit code ${result.status ?? "?"}`);
        return;
      } finally {
        releaseLock();
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
