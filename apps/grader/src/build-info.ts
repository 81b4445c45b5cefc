import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** What scripts/build.mjs writes beside the bundles: the content hash of every file the build depends on. */
const BuildInfo = z.object({ builtAt: z.string(), inputs: z.record(z.string(), z.string()) });

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
  for (const [input, hash] of Object.entries(info.inputs)) {
    if (!existsSync(input)) return `${input} was removed since the last build`;
    if (createHash("sha1").update(readFileSync(input)).digest("hex") !== hash) return `${input} changed since the last build`;
  }
  return null;
}
