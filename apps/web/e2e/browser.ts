import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { chromium, type BrowserContext, type BrowserServer } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

/**
 * The browser tests' shared Chromium: the test run's global setup starts one (`startChromiumServer`)
 * and hands its address to the test files in this variable; each file opens its own contexts in it.
 */
export const CHROMIUM_ENDPOINT_ENV = "STEPWISE_E2E_CHROMIUM";

const launchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (scripts/setup.sh does it as root).`);
  }
}

/**
 * One Chromium for every browser test file of a run. A launch and its shutdown cost ~2.5 s of CPU and
 * several seconds of wall time on a busy machine; seventeen files each paid them. Contexts keep the
 * files apart: each has its own cookies, storage and cache, as a fresh profile had.
 */
export async function startChromiumServer(): Promise<BrowserServer> {
  requireChromium();
  return chromium.launchServer(launchOptions);
}

/**
 * A fresh browser context (its own cookies and storage), in the run's shared Chromium when the global
 * setup started one, else in a Chromium of its own with a fresh profile (the bench, a script).
 */
export async function launchBrowser(options: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  const contextOptions = {
    viewport: { width: 1280, height: 900 },
    // Only for injecting test tooling (axe-core) into pages; the app's own tests run under its CSP.
    bypassCSP: options.bypassCSP ?? false,
  };
  const endpoint = process.env[CHROMIUM_ENDPOINT_ENV];
  let context: BrowserContext;
  if (endpoint) {
    const browser = await chromium.connect(endpoint);
    context = await browser.newContext(contextOptions);
    // Closing the context is how a file is done with its browser: the connection goes with it, after
    // the context is gone (disconnecting first would fail the context's own close).
    const closeContext = context.close.bind(context);
    context.close = async (options) => {
      try {
        await closeContext(options);
      } finally {
        await browser.close();
      }
    };
  } else {
    requireChromium();
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "stepwise-chromium-")), {
      ...launchOptions,
      ...contextOptions,
    });
  }
  // Playwright's 30 s default for a wait, a click or a navigation is a speed limit on a machine where
  // other files train beside this one; like every timeout in the suite it should only catch a hang.
  // Set on the context, it holds for every page a test opens.
  context.setDefaultTimeout(120_000);
  return context;
}
