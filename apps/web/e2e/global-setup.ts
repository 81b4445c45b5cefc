import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM_ENDPOINT_ENV, startChromiumServer } from "./browser";
import { startBuild } from "./build";
import { RUN_DIR_ENV, stopRecordedPlatforms } from "./run-dir";

/**
 * Builds the web app while the other projects' tests run (browser test files wait for it, build.ts),
 * starts the one Chromium the browser test files open their contexts in, and makes the directory the
 * platforms they start are recorded in: the variables set here reach the test workers, which are
 * started after the global setup. The teardown stops the platforms the workers shared (and any a
 * failed file left).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const build = startBuild();
  const chromium = await startChromiumServer();
  process.env[CHROMIUM_ENDPOINT_ENV] = chromium.wsEndpoint();
  const runDir = mkdtempSync(join(tmpdir(), "stepwise-e2e-run-"));
  process.env[RUN_DIR_ENV] = runDir;
  return async () => {
    if (build && build.exitCode === null) build.kill("SIGTERM");
    await stopRecordedPlatforms(runDir);
    rmSync(runDir, { recursive: true, force: true });
    await chromium.close();
  };
}
