/**
 * The order test files start in. Vitest's own sequencer runs the projects one after another
 * (alphabetically) and, without a results cache — a clean clone — keeps each project's files in glob
 * order, so a long file that starts last runs alone while the other core idles.
 *
 * Two things decide the order here:
 * - Files that run isolated (a fresh worker process each) start first, longest first.
 * - Then the projects whose files share their worker's modules (`isolate: false`), one project after
 *   another, each project's files longest first, the project with the most work first. Vitest keeps a
 *   shared worker only while the next file in the queue belongs to the same project: interleaved with
 *   other projects' files, nearly every file paid a fresh process and its imports again (182 worker
 *   processes for 225 files). Together, these blocks end the run on many short files, which packs the
 *   two workers as well as a global longest-first order did.
 *
 * A file's expected duration is this machine's last run of it (vitest's results cache) or else the
 * durations committed in durations.json (`node tooling/test-order/refresh.mjs` rewrites them from the
 * cache after a full run); a file neither knows — a new one — counts as long, so it starts early within
 * its group and cannot become the tail.
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
    const longestFirst = (specs: TestSpecification[]) =>
      [...specs].sort((a, b) => expected.get(b)! - expected.get(a)! || key(a).localeCompare(key(b)));

    const isolated = files.filter((spec) => spec.project.config.isolate !== false);
    const shared = new Map<string, TestSpecification[]>();
    for (const spec of files) {
      if (spec.project.config.isolate !== false) continue;
      const block = shared.get(spec.project.name) ?? [];
      block.push(spec);
      shared.set(spec.project.name, block);
    }
    const total = (specs: TestSpecification[]) => specs.reduce((sum, spec) => sum + expected.get(spec)!, 0);
    const blocks = [...shared.entries()]
      .sort(([a, x], [b, y]) => total(y) - total(x) || a.localeCompare(b))
      .map(([, specs]) => longestFirst(specs));
    return Promise.resolve([...longestFirst(isolated), ...blocks.flat()]);
  }
}
