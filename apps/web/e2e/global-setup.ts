import { CHROMIUM_ENDPOINT_ENV, startChromiumServer } from "./browser";
import { startBuild } from "./build";

/**
 * Builds the web app while the other projects' tests run (browser test files wait for it, build.ts),
 * and starts the one Chromium the browser test files open their contexts in: the variable set here
 * reaches the test workers, which are started after the global setup.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const build = startBuild();
  const chromium = await startChromiumServer();
  process.env[CHROMIUM_ENDPOINT_ENV] = chromium.wsEndpoint();
  return async () => {
    if (build && build.exitCode === null) build.kill("SIGTERM");
    await chromium.close();
  };
}
