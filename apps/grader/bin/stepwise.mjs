#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `stepwise` works without a build step.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const result = spawnSync(process.execPath, ["--import", pathToFileURL(require.resolve("tsx")).href, main, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(result.status ?? 3);
