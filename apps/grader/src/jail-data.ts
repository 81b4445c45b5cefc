import { chmodSync, copyFileSync, existsSync, linkSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { DatasetRef } from "@stepwise/core/contracts";
import { imdbCacheFiles, loadImdbCorpus } from "@stepwise/core/datasets/node";

/**
 * What a sandboxed child may read of the dataset cache for one run, staged into its own directory:
 * IMDB's training and test-input files, never the test-label file beside them nor another dataset's
 * files. MNIST's files come from its package (test labels masked by the jail); a CSV's encoded rows
 * travel inside the request.
 */
export function cacheFilesFor(dataset: DatasetRef, cacheDir: string): string[] {
  if (dataset.kind !== "imdb") return [];
  const files = imdbCacheFiles({ cacheDir, vocabularySize: dataset.vocabularySize });
  if (!existsSync(files.train) || !existsSync(files.testInputs)) {
    // A child cannot build the cache itself: it would need reviews.json, whose order gives the labels away.
    loadImdbCorpus({ cacheDir, vocabularySize: dataset.vocabularySize });
  }
  for (const file of [files.train, files.testInputs]) {
    if (!existsSync(file)) {
      throw new Error(
        `the IMDB cache file ${file} could not be written: a sandboxed training child reads the prepared files only, so GRADER_CACHE_DIR (${cacheDir}) must be writable by the grader`,
      );
    }
  }
  return [files.train, files.testInputs];
}

/**
 * Makes `dir` hold exactly `files` (by base name), readable by the child's uid: hard links where the
 * cache and the staging directory share a filesystem and the file is world-readable, copies otherwise.
 * The cache writes by rename, so a linked file never changes under a child.
 */
export function stageFiles(dir: string, files: readonly string[]): void {
  const wanted = new Map(files.map((file) => [basename(file), file]));
  for (const name of readdirSync(dir)) {
    if (!wanted.has(name)) rmSync(join(dir, name), { force: true });
  }
  for (const [name, source] of wanted) {
    const target = join(dir, name);
    const from = statSync(source);
    const current = existsSync(target) ? statSync(target) : undefined;
    if (current && current.ino === from.ino && current.dev === from.dev) continue;
    if (current && current.size === from.size && current.mtimeMs >= from.mtimeMs) continue;
    rmSync(target, { force: true });
    if ((from.mode & 0o004) !== 0 && tryLink(source, target)) continue;
    copyFileSync(source, target);
    chmodSync(target, 0o644);
  }
}

function tryLink(source: string, target: string): boolean {
  try {
    linkSync(source, target);
    return true;
  } catch {
    return false;
  }
}
