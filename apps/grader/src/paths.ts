import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The folder holding pnpm-workspace.yaml, found from `start` upwards; `start` itself if none. */
export function repoRoot(start = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}

/** Defaults of the embedded setup: everything under `<repo>/data`. */
export function embeddedDefaults(root = repoRoot()) {
  return {
    databaseUrl: `file:${join(root, "data", "stepwise.db")}`,
    cacheDir: join(root, "data", "cache"),
  };
}
