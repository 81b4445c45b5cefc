/**
 * What every browser test starts with: the platform (web + grader on a fresh seeded database), a
 * Chromium profile with one page whose console errors and uncaught exceptions are collected (the app
 * must run under its own CSP without errors), and signing in as a demo account.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { assignmentsForCourse, coursesForUser, userByEmail, type Db } from "@stepwise/db";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchBrowser } from "./browser";
import { repoDir, startPlatform, type Platform } from "./platform";

export const artifacts = join(repoDir, "artifacts", "e2e");

export const DEMO_STUDENT = { email: "student@stepwise.test", password: "stepwise-student" } as const;
export const DEMO_INSTRUCTOR = { email: "instructor@stepwise.test", password: "stepwise-instructor" } as const;

export interface BrowserSession {
  platform: Platform;
  browser: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions of `page`, in order. */
  errors: string[];
  close: () => Promise<void>;
}

/** Records a page's console errors and uncaught exceptions into `errors`. */
export function collectErrors(page: Page, errors: string[]): void {
  page.on("console", (m) => {
    // A failed resource load says only its status; the URL says which request it was.
    const url = m.location().url;
    if (m.type() === "error") errors.push(url && m.text().startsWith("Failed to load resource") ? `${m.text()} (${url})` : m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
}

export type SessionOptions = Parameters<typeof startPlatform>[0] & Parameters<typeof launchBrowser>[0];

/** The platform and Chromium start side by side; if either fails, the other is stopped before the error is thrown. */
export async function openSession(options: SessionOptions = {}): Promise<BrowserSession> {
  mkdirSync(artifacts, { recursive: true });
  const { bypassCSP, ...platformOptions } = options;
  const [started, launched] = await Promise.allSettled([startPlatform(platformOptions), launchBrowser({ bypassCSP })]);
  if (started.status === "rejected" || launched.status === "rejected") {
    if (launched.status === "fulfilled") await launched.value.close().catch(() => undefined);
    if (started.status === "fulfilled") await started.value.stop();
    throw started.status === "rejected" ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const platform = started.value;
  const browser = launched.value;
  const page = await browser.newPage();
  const errors: string[] = [];
  collectErrors(page, errors);
  return {
    platform,
    browser,
    page,
    errors,
    close: async () => {
      // The platform's processes outlive this file unless stopped: stop them even if the browser's close fails.
      try {
        await browser.close();
      } finally {
        await platform.stop();
      }
    },
  };
}

/**
 * Opens a session before the enclosing describe block's tests and closes it after them: the
 * lifecycle every browser test file needs. Its fields exist once the block's `beforeAll` has run,
 * so read them inside tests (reading earlier throws, naming the mistake).
 */
export function useBrowserSession(options: SessionOptions = {}): BrowserSession {
  let session: BrowserSession | undefined;
  beforeAll(async () => {
    session = await openSession(options);
  });
  afterAll(async () => {
    await session?.close();
  });
  const open = (): BrowserSession => {
    if (!session)
      throw new Error("The browser session opens in beforeAll: read it inside a test, not while the describe block is collected.");
    return session;
  };
  return {
    get platform() {
      return open().platform;
    },
    get browser() {
      return open().browser;
    },
    get page() {
      return open().page;
    },
    get errors() {
      return open().errors;
    },
    close: () => open().close(),
  };
}

/** Signs in through the form and waits until the app shows who is signed in. */
export async function signIn(page: Page, baseUrl: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("user-name").waitFor();
}

/** A full-page screenshot in `artifacts/e2e/<name>.png`, never failing the test itself. */
export async function screenshot(page: Page | undefined, name: string): Promise<void> {
  await page?.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true }).catch(() => undefined);
}

/** The demo student, the seeded demo course and its assignment of `exerciseId` (tests that prepare rows before the browser opens). */
export async function demoStudentAssignment(db: Db, exerciseId: string) {
  const student = await userByEmail(db, DEMO_STUDENT.email);
  if (!student) throw new Error("the demo student is missing");
  const [course] = await coursesForUser(db, student.id);
  const assignment = course && (await assignmentsForCourse(db, course.id)).find((a) => a.exerciseId === exerciseId);
  if (!course || !assignment) throw new Error(`the demo course has no ${exerciseId} assignment`);
  return { student, course, assignment };
}

/** Signs in as the demo instructor and opens the first course they teach; resolves with its id. */
export async function openTaughtCourse(page: Page, baseUrl: string): Promise<string> {
  await signIn(page, baseUrl, DEMO_INSTRUCTOR);
  await page.getByRole("link", { name: "Teach", exact: true }).click();
  await page.waitForURL(/\/teach$/);
  await page.getByTestId("taught-course").first().getByRole("link").first().click();
  await page.waitForURL(/\/teach\/[0-9a-f-]{36}$/);
  return /\/teach\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? "";
}
