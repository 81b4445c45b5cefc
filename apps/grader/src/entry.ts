import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Where the processes the grader starts (training and calibration children, the heartbeat thread)
 * find their code. Compiled (scripts/build.mjs, `dist/`), they start the compiled entry beside the
 * grader's; run from the TypeScript sources (vitest, `tsx watch`), they start the source through the
 * tsx loader. A grader never mixes the two.
 */
declare const STEPWISE_COMPILED: boolean | undefined;

/** Whether this code runs from apps/grader/dist (the build defines the constant). */
export const COMPILED = typeof STEPWISE_COMPILED !== "undefined" && STEPWISE_COMPILED;

// The build keeps each module's source location in `import.meta.url` (see scripts/build.mjs).
const src = dirname(fileURLToPath(import.meta.url));
export const DIST_DIR = resolve(src, "..", "dist");

/** The tsx loader flags a child needs to run a TypeScript file (the sources, or a test's fixture). */
export const TSX_EXEC_ARGV = ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href] as const;

/** Node flags of every child: source maps in compiled mode (stack traces name the .ts files), tsx otherwise. */
export const CHILD_EXEC_ARGV: readonly string[] = COMPILED ? ["--enable-source-maps"] : TSX_EXEC_ARGV;

export type EntryName = "child" | "calibrate-child" | "heartbeat-thread";

/** The file node starts for `name`: `dist/<name>.js` compiled, `src/<name>.ts` otherwise. */
export function entryScript(name: EntryName): string {
  return COMPILED ? join(DIST_DIR, `${name}.js`) : join(src, `${name}.ts`);
}
