// Rewrites durations.json from vitest's results cache of this checkout: run after a full `pnpm test`
// on an idle machine so a clean clone starts its longest test files first (sequencer.ts).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const cacheRoot = join(root, "node_modules", ".vite", "vitest");
const durations = {};
for (const dir of readdirSync(cacheRoot)) {
  let cache;
  try {
    cache = JSON.parse(readFileSync(join(cacheRoot, dir, "results.json"), "utf8"));
  } catch {
    continue;
  }
  for (const [key, { duration }] of cache.results) durations[key] = Math.round(duration / 100) / 10;
}
const sorted = Object.fromEntries(Object.entries(durations).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(new URL("durations.json", import.meta.url), `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`${Object.keys(sorted).length} test files' durations written to tooling/test-order/durations.json`);
