import { spawnSync } from "node:child_process";
import { join } from "node:path";

/**
 * Brings apps/grader/dist up to date once, before any test file starts a grader, the CLI or a
 * training child: they run the compiled build, and a build older than the sources would test code
 * nobody reads. Nothing is built when dist/ already matches the sources (content hashes).
 */
export default function setup(): void {
  const build = spawnSync(process.execPath, [join(import.meta.dirname, "..", "scripts", "build.mjs"), "--if-stale"], {
    stdio: "inherit",
    timeout: 300_000,
  });
  if (build.status !== 0) throw new Error(`building apps/grader/dist failed (exit ${build.status ?? build.signal ?? "?"})`);
}
