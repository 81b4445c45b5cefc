/**
 * The browser tests' record of the platform processes they started, kept in a directory the test run's
 * global setup makes: the run's end stops whatever a test worker left running.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A directory the test run's global setup makes: each platform records its process groups there while
 * they run, so the run's end stops any that a test worker left behind (a worker's shared platform
 * lives as long as the worker, which may end without running exit handlers).
 */
export const RUN_DIR_ENV = "STEPWISE_E2E_RUN_DIR";

export const runDir = (): string | undefined => process.env[RUN_DIR_ENV];

/**
 * What marks a recorded process as ours: its start time (in clock ticks since boot, /proc's stat), so a
 * pid reused since is never signalled. Not the command line: `next start` renames itself.
 */
export const startTime = (pid: number): string | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
};

/** Stops the process groups platforms recorded in `dir` and never stopped themselves (the global teardown). */
export async function stopRecordedPlatforms(dir: string): Promise<void> {
  const groups = readdirSync(dir)
    .map((name) => ({ pid: Number(name), started: readFileSync(join(dir, name), "utf8") }))
    .filter(({ pid, started }) => Number.isInteger(pid) && startTime(pid) === started);
  const signal = (name: NodeJS.Signals) => {
    for (const { pid } of groups) {
      try {
        process.kill(-pid, name);
      } catch {
        /* already gone */
      }
    }
  };
  signal("SIGTERM");
  for (let waited = 0; waited < 2_000 && groups.some(({ pid, started }) => startTime(pid) === started); waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  signal("SIGKILL");
}
