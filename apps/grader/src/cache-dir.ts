import { mkdirSync } from "node:fs";

/**
 * Makes sure the dataset cache directory exists. The cache only saves time (every dataset loads
 * from its source without it, and a failed cache write is ignored), so a directory that cannot be
 * created is a warning, not a reason to stop grading. Returns whether the cache is usable.
 */
export function useCacheDir(dir: string, warn: (line: string) => void): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    warn(
      `GRADER_CACHE_DIR "${dir}" cannot be created (${reason}); grading goes on without a dataset cache, preparing each dataset from its source. Point GRADER_CACHE_DIR at a writable directory to cache them.`,
    );
    return false;
  }
}
