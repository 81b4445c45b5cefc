/**
 * The order test files start in: longest first, across every project. Vitest's own sequencer runs the
 * projects one after another (alphabetically) and, without a results cache — a clean clone — keeps
 * each project's files in glob order, so a long file that starts last runs alone while the other core
 * idles. Starting the longest files first and ending with the many short ones packs the two workers.
 *
 * A file's expected duration is this machine's last run of it (vitest's results cache) or else the
 * durations committed in durations.json (`node tooling/test-order/refresh.mjs` rewrites them from the
 * cache after a full run); a file neither knows — a new one — counts as long, so it starts early and
 * cannot become the tail.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const committed: Record<string, number> = JSON.parse(readFileSync(new URL("durations.json", import.meta.url), "utf8")) as Record<
  string,
  number
>;

/** Seconds assumed for a file with no recorded duration: longer than most, shorter than the longest. */
const UNKNOWN_SECONDS = 30;

export default class LongestFirstSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const key = (spec: TestSpecification) => `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
    const seconds = (spec: TestSpecification) => {
      const cached = this.ctx.cache.getFileTestResults(key(spec));
      if (cached && cached.duration > 0) return cached.duration / 1000;
      return committed[key(spec)] ?? UNKNOWN_SECONDS;
    };
    const expected = new Map(files.map((spec) => [spec, seconds(spec)]));
    return Promise.resolve([...files].sort((a, b) => expected.get(b)! - expected.get(a)! || key(a).localeCompare(key(b))));
  }
}
