import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { staleBuild } from "./build-info";

/**
 * Where the processes the grader starts (training and calibration children, the heartbeat thread)
 * find their code: the compiled entries in apps/grader/dist (scripts/build.mjs), which node starts
 * in a fraction of the time tsx needs to transform the sources. A grader run from the sources
 * (vitest, `tsx watch`) uses them too when dist/ is exactly the build of these sources (content
 * hashes); otherwise its children run the sources through tsx, never code older than the parent's.
 */
declare const STEPWISE_COMPILED: boolean | undefined;

/** Whether this code runs from apps/grader/dist (the build defines the constant). */
export const COMPILED = typeof STEPWISE_COMPILED !== "undefined" && STEPWISE_COMPILED;

// The build keeps each module's source location in `import.meta.url` (see scripts/build.mjs).
const src = dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = resolve(src, "..", "dist");

/** The tsx loader flags a child needs to run a TypeScript file (the sources, or a test's fixture). */
export const TSX_EXEC_ARGV = ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href] as const;

/** Node flags for a child running `script`: tsx for TypeScript, source maps for the compiled entries (stack traces name the .ts files). */
export function execArgvFor(script: string): readonly string[] {
  return script.endsWith(".ts") ? TSX_EXEC_ARGV : ["--enable-source-maps"];
}

let distCurrent: boolean | undefined;
const childrenCompiled = () => COMPILED || (distCurrent ??= staleBuild(DIST_DIR) === null);

export type EntryName = "child" | "calibrate-child" | "heartbeat-thread";

/** The file node starts for `name`: `dist/<name>.js` when current, `src/<name>.ts` otherwise. */
export function entryScript(name: EntryName): string {
  return childrenCompiled() ? join(DIST_DIR, `${name}.js`) : join(src, `${name}.ts`);
}
