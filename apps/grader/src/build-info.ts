import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** What scripts/build.mjs writes beside the bundles: when it started, and every source it bundled. */
const BuildInfo = z.object({ builtAt: z.number(), inputs: z.array(z.string()) });

/**
 * Why the build in `distDir` is not the code in the sources (a source edited or removed since), or
 * null when it is. The same rule as scripts/build.mjs's `staleReason`, which the CLI uses to rebuild.
 */
export function staleBuild(distDir: string): string | null {
  let info: z.infer<typeof BuildInfo>;
  try {
    info = BuildInfo.parse(JSON.parse(readFileSync(join(distDir, "build-info.json"), "utf8")));
  } catch (error) {
    return `${join(distDir, "build-info.json")} is missing or unreadable (${error instanceof Error ? error.message : String(error)})`;
  }
  for (const input of info.inputs) {
    const mtime = statSync(input, { throwIfNoEntry: false })?.mtimeMs;
    if (mtime === undefined) return `${input} was removed since the last build`;
    if (mtime > info.builtAt) return `${input} changed since the last build`;
  }
  return null;
}
