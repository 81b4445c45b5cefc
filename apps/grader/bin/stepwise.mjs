#!/usr/bin/env node
// Runs the compiled CLI (apps/grader/dist/cli.js), in this process: a source edited since the last
// build is compiled first (esbuild, about a second), so `stepwise` never runs stale code.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildIfStale, distDir } from "../scripts/build.mjs";

// Stack traces name the TypeScript sources (the build writes source maps).
process.setSourceMapsEnabled(true);
await buildIfStale();
await import(pathToFileURL(join(distDir, "cli.js")).href);
