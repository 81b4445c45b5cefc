/**
 * The compiled build (scripts/build.mjs → dist/): a grader refuses a build its sources no longer
 * match, and the CLI's entry loads no heavy module before it has parsed its arguments.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { staleBuild } from "../src/build-info";
import { DIST_DIR } from "../src/entry";

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

describe("staleBuild", () => {
  it("accepts a build whose inputs are unchanged, and names the input that changed, vanished or the missing build info", () => {
    const dir = mkdtempSync(join(tmpdir(), "stepwise-build-"));
    try {
      const source = join(dir, "a.ts");
      writeFileSync(source, "export const a = 1;\n");
      const info = join(dir, "build-info.json");
      expect(staleBuild(dir)).toMatch(/build-info\.json is missing or unreadable/);
      writeFileSync(info, JSON.stringify({ builtAt: new Date().toISOString(), inputs: { [source]: sha1("export const a = 1;\n") } }));
      expect(staleBuild(dir)).toBeNull();
      // Same size and an older timestamp would fool an mtime check; the content hash is not fooled.
      writeFileSync(source, "export const a = 2;\n");
      expect(staleBuild(dir)).toBe(`${source} changed since the last build`);
      rmSync(source);
      expect(staleBuild(dir)).toBe(`${source} was removed since the last build`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("holds for the build the test run made (global setup)", () => {
    expect(staleBuild(DIST_DIR)).toBeNull();
  });
});

/** Every module dist/<entry>.js loads before its code runs: the entry and the chunks it imports statically, recursively. */
function staticImports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const code = readFileSync(file, "utf8");
  const specifiers = [...code.matchAll(/^import\s[^;]*?from\s*"([^"]+)";|^import\s*"([^"]+)";/gms)].map((m) => m[1] ?? m[2] ?? "");
  return specifiers.flatMap((s) =>
    s.startsWith("./") || s.startsWith("../") ? [s, ...staticImports(resolve(dirname(file), s), seen)] : [s],
  );
}

describe("the compiled CLI", () => {
  it("loads neither TF.js, the database drivers, zod nor yaml before parsing its arguments", () => {
    const loaded = staticImports(join(DIST_DIR, "cli.js"));
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((s) => /tensorflow|kysely|better-sqlite3|\/pg\/|better-auth|zod|yaml/.test(s))).toEqual([]);
  });

  it("the grader's entry does import them statically (the check above can see them)", () => {
    expect(staticImports(join(DIST_DIR, "main.js")).some((s) => s.includes("kysely"))).toBe(true);
  });
});
