import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { chromium, type BrowserContext } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

/** Debian's Chromium, headless, with a fresh profile and none of its background traffic (no network here). */
export async function launchBrowser(options: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (scripts/setup.sh does it as root).`);
  }
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "stepwise-chromium-")), {
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
    viewport: { width: 1280, height: 900 },
    // Only for injecting test tooling (axe-core) into pages; the app's own tests run under its CSP.
    bypassCSP: options.bypassCSP ?? false,
  });
  // Playwright's 30 s default for a wait, a click or a navigation is a speed limit on a machine where
  // other files train beside this one; like every timeout in the suite it should only catch a hang.
  // Set on the context, it holds for every page a test opens.
  context.setDefaultTimeout(120_000);
  return context;
}
