/**
 * The instructor's pages at class scale, in a real browser: a gradebook of 300 students × the demo
 * course's 28 assignments (seeded straight into the database) and the live jobs page. Screenshots at
 * desktop width and 390×844 go to artifacts/e2e; axe finds no violation of any impact on either page.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { assignmentsForCourse, openDb, type Db } from "@stepwise/db";
import { insertAll, seedClassGrades } from "@stepwise/db/testing";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "./axe";
import { launchBrowser } from "./browser";
import { startPlatform, type Platform } from "./platform";
import { artifacts, collectErrors, DEMO_INSTRUCTOR, DEMO_STUDENT, screenshot, signIn, studentAssignment } from "./session";

const STUDENTS = 300;
const MOBILE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

/**
 * 300 students in the demo course, each with one graded submission per assignment except a regular
 * gap (not attempted), scores spread over 0–100; three students share a fingerprint on the first
 * assignment. Jobs for the jobs page: two queued (not runnable for a day, so the platform's grader
 * leaves them), one running on another grader at epoch 3 of 10, one dead.
 */
async function seedClass(db: Db, now: number) {
  const { course } = await studentAssignment(db, DEMO_STUDENT, "mnist-beat-baseline");
  const assignments = await assignmentsForCourse(db, course.id);
  const { users, seq: next } = await seedClassGrades(db, { courseId: course.id, assignments, students: STUDENTS, now });
  let seq = next;
  const first = assignments[0];
  if (!first) throw new Error("the demo course has no assignments");
  const extra = (user: { id: string }, job: object) => {
    const id = randomUUID();
    const jobId = randomUUID();
    return {
      submission: {
        id,
        assignment_id: first.id,
        user_id: user.id,
        exercise_id: first.exerciseId,
        payload: JSON.stringify({ exerciseId: first.exerciseId, answers: {} }),
        created_at: now - 60_000,
        fingerprint: "",
      },
      job: {
        id: jobId,
        seq: seq++,
        submission_id: id,
        priority: 0,
        attempts: 0,
        max_attempts: 3,
        run_after: now,
        lease_until: null,
        worker_id: null,
        last_error: null,
        created_at: now - 60_000,
        started_at: null,
        finished_at: null,
        ...job,
      },
    };
  };
  const [a, b, c, d] = users;
  if (!a || !b || !c || !d) throw new Error("too few students");
  const extras = [
    extra(a, { status: "queued", run_after: now + 86_400_000 }),
    extra(b, { status: "queued", run_after: now + 86_400_000 }),
    extra(c, { status: "running", attempts: 1, worker_id: "grader-e2e-7", lease_until: now + 86_400_000, started_at: now - 95_000 }),
    extra(d, {
      status: "dead",
      attempts: 3,
      last_error: "training child crashed: SIGSEGV",
      started_at: now - 50_000,
      finished_at: now - 40_000,
    }),
  ];
  await insertAll(
    db,
    "submissions",
    extras.map((e) => e.submission),
  );
  await insertAll(
    db,
    "jobs",
    extras.map((e) => e.job),
  );
  const running = extras[2]?.job.id ?? "";
  await insertAll(db, "job_progress", [
    { job_id: running, seq: 1, event: JSON.stringify({ type: "epoch", epoch: 3, epochs: 10, loss: 0.5, seconds: 2 }), at: now - 10_000 },
  ]);
  return { courseId: course.id, assignments, dead: extras[3]?.job.id ?? "" };
}

describe("the instructor's pages at class scale", () => {
  let platform: Platform;
  let browser: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  let seeded: Awaited<ReturnType<typeof seedClass>>;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    platform = await startPlatform();
    const db = await openDb(platform.databaseUrl);
    try {
      seeded = await seedClass(db, Date.now());
    } finally {
      await db.close();
    }
    browser = await launchBrowser({ bypassCSP: true });
    page = await browser.newPage();
    collectErrors(page, errors);
    await signIn(page, platform.url, DEMO_INSTRUCTOR);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it("renders the first screen of 300 × 28, keeps names and header in place while scrolling, and moves by keyboard", async () => {
    const started = Date.now();
    await page.goto(`${platform.url}/teach/${seeded.courseId}/gradebook`);
    await page.getByTestId("gradebook-row").first().waitFor();
    // A measurement for the report, not an assertion: wall-clock time depends on the machine.
    console.info(
      `[class-scale] gradebook of ${STUDENTS} × ${seeded.assignments.length}: first row visible ${Date.now() - started} ms after navigation`,
    );
    expect(await page.getByRole("status").first().textContent()).toMatch(/301 of 301 students/);
    expect(await page.getByTestId("max-total").textContent()).toBe(`of ${100 * seeded.assignments.length}`);
    // Virtualized: only the rows near the viewport are in the page.
    const rendered = await page.getByTestId("gradebook-row").count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(80);
    // …and only the columns near it: what makes the first screen cheap is that the page holds a few
    // hundred of the 8,400 cells, not how fast this machine happens to be.
    const stepHeaders = page.locator(".gb thead tr").nth(1).locator("th.gb-col");
    expect(await stepHeaders.count()).toBeLessThan(seeded.assignments.length);
    expect(await page.locator("[data-cell]").count()).toBeLessThan(600);
    expect(await page.getByTestId("gradebook").getAttribute("aria-colcount")).toBe(String(seeded.assignments.length + 2));
    await page.waitForLoadState("networkidle");
    await screenshot(page, "gradebook-class-desktop");

    const scroller = page.getByTestId("gradebook-scroll");
    const box = await scroller.boundingBox();
    await scroller.evaluate((el) => el.scrollTo({ left: 1500, top: 6000 }));
    await expect.poll(() => page.getByTestId("row-name").filter({ hasText: "Learner 13" }).count()).toBeGreaterThan(0);
    const name = page.getByTestId("row-name").filter({ hasText: "Learner 13" }).first();
    const nameBox = await name.boundingBox();
    const header = await page.locator(".gb thead th").first().boundingBox();
    // The name column stays at the box's left edge and the header at its top, whatever the scroll.
    expect(Math.abs((nameBox?.x ?? -99) - (box?.x ?? 0))).toBeLessThanOrEqual(2);
    expect(Math.abs((header?.y ?? -99) - (box?.y ?? 0))).toBeLessThanOrEqual(2);
    expect(await scroller.evaluate((el) => [el.scrollLeft > 0, el.scrollTop > 0])).toEqual([true, true]);
    // Scrolled sideways, other columns are rendered, each saying where it sits in the whole grid.
    await expect.poll(async () => Number(await stepHeaders.first().getAttribute("aria-colindex"))).toBeGreaterThan(5);
    await screenshot(page, "gradebook-class-scrolled");

    // Keyboard: one tab stop; arrows move between cells, the details show on focus.
    await scroller.evaluate((el) => el.scrollTo({ left: 0, top: 0 }));
    const firstCell = page.locator('[data-cell^="0:"]').first();
    const second = ((await page.locator('[data-cell^="0:"]').nth(1).getAttribute("data-cell")) ?? "").slice(2);
    await firstCell.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-cell"))).toBe(`1:${second}`);
    expect(await page.getByTestId("cell-tip").textContent()).toMatch(/points|No score/);
    await page.keyboard.press("PageDown");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-cell"))).toBe(`11:${second}`);
    expect(await page.locator('[data-cell][tabindex="0"]').count()).toBe(1);

    // A project collapses to its points column.
    const firstColumn = ((await page.locator('[data-cell^="0:"]').first().getAttribute("data-cell")) ?? "").slice(2);
    await page.getByTestId("toggle-project").first().click();
    await expect.poll(() => page.locator(".gb thead tr").nth(1).locator("th").first().textContent()).toBe("Points");
    expect(await page.locator(`[data-cell$=":${firstColumn}"]`).count()).toBe(0);
    await page.getByTestId("toggle-project").first().click();
    await expect.poll(() => page.locator(`[data-cell$=":${firstColumn}"]`).count()).toBeGreaterThan(0);

    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize(MOBILE);
    await screenshot(page, "gradebook-class-mobile");
    // The grid and the summary scroll inside their boxes; the page itself does not get wider.
    for (const box of [await scroller.boundingBox(), await page.getByTestId("gradebook-summary").locator("xpath=..").boundingBox()])
      expect((box?.x ?? 0) + (box?.width ?? 999)).toBeLessThanOrEqual(MOBILE.width);
    await page.setViewportSize(DESKTOP);
  });

  it("flags the students who submitted identical work, and the CSV export still holds every student", async () => {
    await page.goto(`${platform.url}/teach/${seeded.courseId}/gradebook?identical=yes`);
    await page.getByTestId("gradebook-row").first().waitFor();
    expect(await page.getByTestId("row-name").allTextContents()).toEqual([
      "Learner 001learner001@class.test",
      "Learner 002learner002@class.test",
      "Learner 003learner003@class.test",
    ]);
    expect(await page.getByTestId("identical-group").allTextContents()).toEqual([
      expect.stringMatching(/=1 .*: Learner 001, Learner 002, Learner 003$/),
    ]);
    expect(await page.getByTestId("cell-identical").count()).toBe(3);
    const csv = await page.request.get(`${platform.url}/api/teach/${seeded.courseId}/export/grades`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).trim().split("\n")).toHaveLength(1 + 301);
  });

  it("shows the course's live queue: positions, the running job's grader, phase and time, and a failure to retry", async () => {
    await page.goto(`${platform.url}/teach/${seeded.courseId}/gradebook`);
    await page.getByRole("link", { name: "Jobs", exact: true }).click();
    await page.getByRole("heading", { name: "Jobs", level: 1 }).waitFor();
    expect(await page.getByTestId("job-position").allTextContents()).toEqual(["1st", "2nd"]);
    const running = page.getByTestId("job-running");
    expect(await running.textContent()).toMatch(/Learner 002.*grader-e2e-7.*epoch 3 of 10.*\d+ min \d+ s/);
    expect(await page.getByTestId("dead-letter").textContent()).toMatch(/Learner 003.*3 of 3.*SIGSEGV/);
    await page.waitForLoadState("networkidle");
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, "jobs-desktop");
    await page.setViewportSize(MOBILE);
    await screenshot(page, "jobs-mobile");
    for (const table of await page.locator("table").all()) {
      const box = await table.locator("xpath=..").boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 999)).toBeLessThanOrEqual(MOBILE.width);
    }
    await page.setViewportSize(DESKTOP);
    await page.getByRole("button", { name: /Retry Learner 003/ }).click();
    await expect.poll(() => page.getByTestId("dead-letter").count(), { timeout: 60_000 }).toBe(0);
    expect(errors).toEqual([]);
  });
});
