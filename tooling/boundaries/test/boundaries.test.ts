/**
 * The rules the README states about the package graph, checked on the source itself: no import
 * circle, every cross-package import declared in the importer's package.json and made through the
 * other package's exports, packages never depending on apps, the two apps never on each other, and
 * `process.env` read only where settings are parsed (the shared ESLint config's boundary rules).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { boundaryRules } from "@stepwise/eslint-config";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..", "..");

interface Workspace {
  name: string;
  dir: string;
  dependencies: string[];
}

function workspace(dir: string): Workspace {
  const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as {
    name: string;
    dependencies?: Record<string, string>;
  };
  return { name: manifest.name, dir, dependencies: Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith("@stepwise/")) };
}

// Every app and package with source, found on disk so a new package is checked the day it appears.
const workspaces = ["apps", "packages"]
  .flatMap((zone) => readdirSync(join(root, zone)).map((name) => `${zone}/${name}`))
  .filter((dir) => existsSync(join(root, dir, "package.json")) && existsSync(join(root, dir, "src")))
  .map(workspace);
const owner = (path: string) => workspaces.find((w) => path.startsWith(`${w.dir}/`));

it("finds the workspace's apps and packages", () => {
  expect(workspaces.map((w) => w.name)).toEqual(
    expect.arrayContaining(["@stepwise/core", "@stepwise/db", "@stepwise/exercises", "@stepwise/web", "@stepwise/grader"]),
  );
});

describe("the package graph", () => {
  let graph: ICruiseResult;

  beforeAll(async () => {
    process.chdir(root);
    const reporting = await cruise(
      workspaces.map((w) => `${w.dir}/src`),
      {
        validate: true,
        // Type-only imports count: a circle of types still ties the modules' meanings together.
        tsPreCompilationDeps: true,
        ruleSet: { forbidden: [{ name: "no-circular", severity: "error", from: {}, to: { circular: true } }] },
        exclude: { path: "node_modules|\\.test\\.tsx?$" },
        doNotFollow: { path: "node_modules" },
        preserveSymlinks: false,
        enhancedResolveOptions: {
          exportsFields: ["exports"],
          conditionNames: ["import", "types", "default", "node"],
          extensions: [".ts", ".tsx", ".js", ".mjs", ".json"],
        },
      },
      // The web app's `~/` path alias (apps/web/tsconfig.json); no other package has one.
      { alias: { "~": join(root, "apps", "web", "src") } },
    );
    graph = reporting.output as ICruiseResult;
  });

  it("has no import circle", () => {
    const circles = graph.summary.violations.map((v) => [v.from, ...(v.cycle ?? []).map((step) => step.name)].join(" → "));
    expect(circles).toEqual([]);
  });

  it("resolves every import of the web app's alias and of the workspace packages", () => {
    const unresolved = graph.modules.flatMap((m) =>
      m.dependencies
        .filter((d) => d.couldNotResolve && (d.module.startsWith("~/") || d.module.startsWith("@stepwise/")))
        .map((d) => `${m.source}: ${d.module}`),
    );
    expect(unresolved).toEqual([]);
  });

  it("crosses packages only through declared dependencies and their exports", () => {
    const wrong: string[] = [];
    for (const m of graph.modules) {
      const from = owner(m.source);
      if (!from) continue;
      for (const d of m.dependencies) {
        const to = owner(d.resolved);
        if (!to || to === from) continue;
        if (!from.dependencies.includes(to.name))
          wrong.push(`${m.source} imports ${d.module}, but ${from.name} does not depend on ${to.name}`);
        if (!d.module.startsWith(`${to.name}`))
          wrong.push(`${m.source} reaches into ${to.dir} with "${d.module}"; import ${to.name} through its exports`);
        if (d.module.includes("/src/")) wrong.push(`${m.source} imports "${d.module}"; import ${to.name} through its exports`);
      }
    }
    expect(wrong).toEqual([]);
  });

  // What `import "server-only"` would catch at build time, checked on the whole graph instead: a client
  // component or the model worker that reached server code would ship it (and its secrets) to browsers.
  it("keeps server code out of the browser: no client component or worker reaches the server, the database or node built-ins", () => {
    const byPath = new Map(graph.modules.map((m) => [m.source, m]));
    const browserRoots = graph.modules
      .map((m) => m.source)
      .filter((path) => path.startsWith("apps/web/src/") && /\.tsx?$/.test(path) && !path.endsWith(".test.ts"))
      .filter((path) => path.startsWith("apps/web/src/workers/") || /^\s*["']use client["']/.test(readFileSync(join(root, path), "utf8")));
    const forbidden = (path: string, core: boolean) =>
      core || path.startsWith("apps/web/src/server/") || path.startsWith("packages/db/") || path === "apps/web/src/env.ts";
    const leaks: string[] = [];
    for (const start of browserRoots) {
      const seen = new Set([start]);
      const queue: string[][] = [[start]];
      while (queue.length) {
        const trail = queue.shift() ?? [];
        const module = byPath.get(trail.at(-1) ?? "");
        for (const d of module?.dependencies ?? []) {
          // Type-only imports are erased: they ship nothing.
          if (d.dependencyTypes.includes("type-only") || seen.has(d.resolved)) continue;
          seen.add(d.resolved);
          if (forbidden(d.resolved, d.coreModule)) {
            leaks.push([...trail, d.resolved].join(" → "));
            continue;
          }
          if (!d.coreModule && !d.resolved.includes("node_modules")) queue.push([...trail, d.resolved]);
        }
      }
    }
    expect(browserRoots.length).toBeGreaterThan(10);
    expect(leaks).toEqual([]);
  });

  it("points one way: packages never depend on apps, the apps never on each other, core on nothing but native-blas", () => {
    const apps = workspaces.filter((w) => w.dir.startsWith("apps/")).map((w) => w.name);
    const wrong = workspaces.flatMap((w) =>
      w.dependencies
        .filter(
          (d) => apps.includes(d) || (w.name === "@stepwise/core" && d !== "@stepwise/native-blas") || w.name === "@stepwise/native-blas",
        )
        .map((d) => `${w.name} → ${d}`),
    );
    expect(wrong).toEqual([]);
  });
});

describe("settings", () => {
  it.each(workspaces.map((w) => [w.dir]))(
    "%s reads process.env only in its config module, entry points, scripts and tests",
    async (dir) => {
      const eslint = new ESLint({
        cwd: join(root, dir),
        overrideConfigFile: true,
        overrideConfig: [
          { ignores: ["**/node_modules/**", "**/.next/**", "**/dist/**", "**/build/**", "**/*.d.ts"] },
          // The boundary rules only: a disable comment for another rule is not this test's business.
          {
            files: ["**/*.ts", "**/*.tsx"],
            languageOptions: { parser: tseslint.parser },
            plugins: { "@typescript-eslint": tseslint.plugin },
            linterOptions: { reportUnusedDisableDirectives: "off" },
          },
          ...boundaryRules(),
        ],
      });
      // Only files that mention it can break the rule; parsing the rest would take most of a minute.
      const candidates = readdirSync(join(root, dir, "src"), { recursive: true, encoding: "utf8" })
        .filter((file) => /\.tsx?$/.test(file) && readFileSync(join(root, dir, "src", file), "utf8").includes("process.env"))
        .map((file) => join("src", file));
      const results = candidates.length ? await eslint.lintFiles(candidates) : [];
      const problems = results.flatMap((r) => r.messages.map((m) => `${relative(root, r.filePath)}:${m.line} ${m.message}`));
      expect(problems).toEqual([]);
    },
  );
});

describe("formatting", () => {
  it("every source file is as Prettier prints it (.prettierrc.json: print width 140)", () => {
    // The CLI, as `pnpm lint` and `pnpm format` run it, so .prettierignore applies the same way, and
    // with their cache: formatting every file takes ~25 s of CPU, while a file whose content, Prettier
    // version and options are those of a file already found formatted is skipped. The cache keys on
    // content, so an edited or newly unformatted file is always checked. Its own file, because a
    // Prettier run without `--cache` (`prettier --check <file>`) deletes the default one, and at the top
    // of node_modules, as Prettier writes no cache into a directory that does not exist yet.
    const cli = createRequire(import.meta.url).resolve("prettier/bin/prettier.cjs");
    const cache = ["--cache", "--cache-strategy", "content", "--cache-location", "node_modules/.prettier-cache"];
    const run = spawnSync(process.execPath, [cli, ...cache, "--list-different", "."], { cwd: root, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout.split("\n").filter(Boolean), "files to format with `pnpm format`").toEqual([]);
  });
});
