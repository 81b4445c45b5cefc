/**
 * What every browser test starts with: a platform (web + grader on a seeded database; the one its test
 * worker shares, unless the file needs a grader of its own), the file's own accounts and copy of the
 * demo course on it, and a browser context with one page whose console errors and uncaught exceptions
 * are collected (the app must run under its own CSP without errors).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { CourseMode } from "@stepwise/core/workflow";
import { assignmentsForCourse, coursesForUser, userByEmail, type Db } from "@stepwise/db";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchBrowser } from "./browser";
import { addTenant, cancelOpenJobs, repoDir, sharedPlatform, startPlatform, type Platform, type Tenant } from "./platform";

export const artifacts = join(repoDir, "artifacts", "e2e");

/** The demo's own accounts (apps/web/src/server/seed.ts): only for the tests of the demo itself; the others use their session's. */
export const DEMO_STUDENT = { email: "student@stepwise.test", password: "stepwise-student" } as const;
export const DEMO_INSTRUCTOR = { email: "instructor@stepwise.test", password: "stepwise-instructor" } as const;

export interface BrowserSession extends Tenant {
  /** The platform; its `logs()` are what it printed since this session opened. */
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

export interface SessionOptions {
  /** A grader of its own with these settings (e.g. one that never claims): the file starts its own platform. */
  graderEnv?: Record<string, string>;
  /** The mode of the file's course (default `independent`, where every step opens). */
  courseMode?: CourseMode;
  bypassCSP?: boolean;
}

/**
 * The platform (the worker's shared one, or one of the file's own) and the browser context start side
 * by side; if either fails, the other is closed before the error is thrown.
 */
export async function openSession(options: SessionOptions = {}): Promise<BrowserSession> {
  mkdirSync(artifacts, { recursive: true });
  const { bypassCSP, graderEnv, courseMode } = options;
  const own = graderEnv !== undefined;
  const [started, launched] = await Promise.allSettled([
    own ? startPlatform({ graderEnv }) : sharedPlatform(),
    launchBrowser({ bypassCSP }),
  ]);
  const stopOwn = async () => {
    if (own && started.status === "fulfilled") await started.value.stop();
  };
  if (started.status === "rejected" || launched.status === "rejected") {
    if (launched.status === "fulfilled") await launched.value.close().catch(() => undefined);
    await stopOwn();
    throw started.status === "rejected" ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const browser = launched.value;
  let tenant: Tenant;
  try {
    tenant = await addTenant(started.value, courseMode);
  } catch (error) {
    await browser.close().catch(() => undefined);
    await stopOwn();
    throw error;
  }
  const from = started.value.logs().length;
  const platform: Platform = { ...started.value, logs: () => started.value.logs().slice(from) };
  const page = await browser.newPage();
  const errors: string[] = [];
  collectErrors(page, errors);
  return {
    ...tenant,
    platform,
    browser,
    page,
    errors,
    close: async () => {
      // A platform of the file's own outlives it unless stopped: stop it even if the browser's close
      // fails. A shared one carries on, without this file's unfinished jobs.
      try {
        await browser.close();
      } finally {
        if (own) await stopOwn();
        else await cancelOpenJobs(platform, tenant.courseId);
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
  // Every field reads the open session, so a test that destructures it inside `it` gets this file's.
  const view = { close: () => open().close() } as BrowserSession;
  for (const field of SESSION_FIELDS) Object.defineProperty(view, field, { get: () => open()[field], enumerable: true });
  return view;
}

/** The fields of a session `useBrowserSession` hands out before it exists (everything but `close`). */
const SESSION_FIELDS = [
  "platform",
  "student",
  "instructor",
  "joinCode",
  "courseId",
  "browser",
  "page",
  "errors",
] as const satisfies ReadonlyArray<Exclude<keyof BrowserSession, "close">>;

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

/**
 * A student (a session's, or the demo's own), the course they are in and its assignment of `exerciseId`
 * (tests that prepare rows before the browser opens).
 */
export async function studentAssignment(db: Db, who: { email: string }, exerciseId: string) {
  const student = await userByEmail(db, who.email);
  if (!student) throw new Error(`no user ${who.email}`);
  const [course] = await coursesForUser(db, student.id);
  const assignment = course && (await assignmentsForCourse(db, course.id)).find((a) => a.exerciseId === exerciseId);
  if (!course || !assignment) throw new Error(`${who.email}'s course has no ${exerciseId} assignment`);
  return { student, course, assignment };
}

/** Signs in as `instructor` and opens the first course they teach; resolves with its id. */
export async function openTaughtCourse(page: Page, baseUrl: string, instructor: { email: string; password: string }): Promise<string> {
  await signIn(page, baseUrl, instructor);
  await page.getByRole("link", { name: "Teach", exact: true }).click();
  await page.waitForURL(/\/teach$/);
  await page.getByTestId("taught-course").first().getByRole("link").first().click();
  await page.waitForURL(/\/teach\/[0-9a-f-]{36}$/);
  return /\/teach\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? "";
}
