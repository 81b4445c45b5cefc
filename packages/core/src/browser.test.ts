import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as browser from "./browser";

const here = dirname(fileURLToPath(import.meta.url));
const builtins = new Set(builtinModules);

/** Every module specifier a file imports or re-exports (type-only imports included: they are harmless but rare). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\s+"([^"]+)"|import\("([^"]+)"\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? "",
  );
}

function resolveLocal(from: string, spec: string): string {
  const base = join(dirname(from), spec);
  const file = [`${base}.ts`, join(base, "index.ts")].find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`${relative(here, from)} imports ${spec}, which resolves to no .ts file`);
  return file;
}

/** The modules reachable from `entry` through relative imports, and the packages they import. */
function reach(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith(".")) visit(resolveLocal(file, spec));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(here, f)), packages: [...packages] };
}

describe("@stepwise/core/browser", () => {
  it("reaches no node: module and no Node built-in, so a browser bundle can import it", () => {
    const { files, packages } = reach(join(here, "browser.ts"));
    expect(files).toContain("training/early-stopping.ts");
    const nodeOnly = packages.filter((p) => p.startsWith("node:") || builtins.has(p.split("/")[0] ?? p));
    expect(nodeOnly).toEqual([]);
  });

  it("the walk notices a node-only module: the dataset loaders' entry reaches node:fs", () => {
    expect(reach(join(here, "datasets", "node.ts")).packages).toContain("node:fs");
  });

  it("stops where the harness stops: after `patience` epochs without a new best", () => {
    const rule = browser.earlyStopping(2);
    expect([1, 0.8, 0.9, 0.85, 0.7, 0.75, 0.76].map((loss) => rule.observe(loss))).toEqual([
      "improved",
      "improved",
      "waiting",
      "stop",
      "improved",
      "waiting",
      "stop",
    ]);
  });

  it("splits as train does: a seeded share validates, both parts in index order, none without a split", () => {
    const { train, validation } = browser.validationSplit(10, 0.3, 7);
    expect(train.length + (validation?.length ?? 0)).toBe(10);
    expect(validation?.length).toBe(3);
    expect([...train, ...(validation ?? [])].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...train]).toEqual([...train].sort((a, b) => a - b));
    expect(browser.validationSplit(10, 0.3, 7)).toEqual({ train, validation });
    expect(browser.validationSplit(4, 0, 7)).toEqual({ train: Int32Array.from([0, 1, 2, 3]) });
  });

  it("writes IMDB rows as the grader's sets do: sequences end-padded with rare ids out of vocabulary, multi-hot by word", () => {
    const { PAD_ID, OOV_ID, FIRST_WORD_ID } = browser;
    const ids = Uint16Array.from([FIRST_WORD_ID + 0, FIRST_WORD_ID + 5, OOV_ID, FIRST_WORD_ID + 1]);
    const sequence = new Float32Array(6).fill(9);
    browser.writeSequence(ids, 0, 4, sequence, 0, 6, FIRST_WORD_ID + 2);
    expect([...sequence]).toEqual([FIRST_WORD_ID, OOV_ID, OOV_ID, FIRST_WORD_ID + 1, PAD_ID, PAD_ID]);
    const multiHot = new Float32Array(4);
    browser.writeMultiHot(ids, 0, 4, multiHot, 0, 4);
    expect([...multiHot]).toEqual([1, 1, 0, 0]);
  });
});
