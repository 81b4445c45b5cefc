import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Verdict } from "@stepwise/core/contracts";
import { applyRegrade, claimJob, completeJob, createSubmissionWithJob, openDb, startRegrade, userByEmail, type Db } from "@stepwise/db";
import { sampleVerdict } from "@stepwise/db/testing";
import { getExercise } from "@stepwise/exercises";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations } from "./axe";
import { screenshot, signIn, studentAssignment, useBrowserSession, type BrowserSession } from "./session";

/**
 * The rough edges of a walk through the app: error pages, the skip link, a regrade the student is
 * told about, the step page on a phone, charts as one keyboard stop each, a session that lapses
 * mid-work, and the instructor's assignment form and audit log. Every page visited is checked with
 * axe (no violation of any impact) and photographed at desktop size and at 390×844.
 */
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** A graded step-5 run: five epochs, its accuracy chart drawn against `baseline`. */
function graded(passed: boolean, baseline: number): Verdict {
  const v = sampleVerdict(passed ? "passed" : "failed", passed ? 1 : 0.25);
  const history = [0, 1, 2, 3, 4].map((i) => ({
    epoch: i + 1,
    loss: 0.6931 - i * 0.0001,
    valLoss: 0.6932 - i * 0.0001,
    accuracy: 0.9 + i * 0.02,
    valAccuracy: 0.89 + i * 0.02,
    seconds: 1,
  }));
  const message = `Accuracy 0.9700 ${passed ? "beats" : "does not beat"} the baseline ${baseline}`;
  return { ...v, checks: [{ id: "beats-baseline", passed, message, visibility: "always" }], curves: { history, baseline } };
}

const topology = JSON.parse(readFileSync(join(import.meta.dirname, "..", "test", "fixtures", "dense-784-32-10.json"), "utf8")) as Record<
  string,
  unknown
>;

/** Plays the grader for the seeded jobs: claims the next runnable one at `now` and stores `verdict`. */
async function gradeNext(db: Db, now: number, verdict: Verdict): Promise<void> {
  const claimed = await claimJob(db, { workerId: "e2e-seed", leaseMs: 60_000, now });
  if (!claimed) throw new Error("no seeded job to claim");
  await completeJob(db, { jobId: claimed.job.id, workerId: "e2e-seed", verdict, now });
}

/**
 * A step-5 submission of the session's student that passed against 0.1135 and fails after the instructor's
 * regrade against 0.960. Dated an hour ahead so the session's grader (polling every 10 minutes) cannot
 * claim these jobs before the test does.
 */
async function seedRegradedSubmission(db: Db, who: Pick<BrowserSession, "student" | "instructor">): Promise<string> {
  const at = Date.now() + 60 * 60_000;
  const { student, assignment } = await studentAssignment(db, who.student, "mnist-beat-baseline");
  const instructor = await userByEmail(db, who.instructor.email);
  if (!instructor) throw new Error(`no user ${who.instructor.email}`);
  const training = getExercise("mnist-beat-baseline").starterTraining;
  const payload = { exerciseId: assignment.exerciseId, model: { format: "tfjs" as const, topology }, ...(training ? { training } : {}) };
  const { submission } = await createSubmissionWithJob(
    db,
    { assignmentId: assignment.id, userId: student.id, exerciseId: assignment.exerciseId, payload },
    at,
  );
  await gradeNext(db, at, graded(true, 0.1135));
  const { regrade } = await startRegrade(db, { assignmentId: assignment.id, createdBy: instructor.id, now: at + 1 });
  await gradeNext(db, at + 2, graded(false, 0.96));
  await applyRegrade(db, { regradeId: regrade.id, now: at + 3, actorId: instructor.id });
  return submission.id;
}

describe("error pages, regrade notices, small screens, charts, lapsed sessions, the assignment form", () => {
  const session = useBrowserSession({ graderEnv: { GRADER_POLL_MS: "600000" } });

  /** axe at both sizes, then a screenshot at each: `<name>.png` and `<name>-390.png`. */
  async function look(page: Page, name: string): Promise<void> {
    for (const [size, suffix] of [
      [DESKTOP, ""],
      [PHONE, "-390"],
    ] as const) {
      await page.setViewportSize(size);
      await page.waitForLoadState("networkidle");
      expect(await axeViolations(page), `${name}${suffix} (${page.url()})`).toEqual([]);
      // The site header fits the screen: it wraps instead of pushing the page sideways.
      const header = await page
        .locator(".site-header")
        .evaluate((el) => ({ width: el.getBoundingClientRect().width, scroll: el.scrollWidth }));
      expect(header.width, `${name}${suffix}: header width`).toBeLessThanOrEqual(size.width);
      expect(header.scroll, `${name}${suffix}: header content width`).toBeLessThanOrEqual(Math.ceil(header.width));
      await screenshot(page, `ux-${name}${suffix}`);
    }
    await page.setViewportSize(DESKTOP);
  }

  const yTicks = (figure: Locator) => figure.locator('text.recharts-cartesian-axis-tick-value[text-anchor="end"]');
  const pageWidth = (page: Page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: window.innerWidth }));

  it("a styled 404 with a way back, a skip link, and a 403 that tells a student why /teach is closed", async () => {
    const { page, platform } = session;
    const missing = await page.goto(`${platform.url}/no-such-page`);
    expect(missing?.status()).toBe(404);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Page not found");
    expect(await page.getByRole("navigation", { name: "Ways back" }).getByRole("link", { name: "Home" }).count()).toBe(1);
    await look(page, "404");

    await page.goto(`${platform.url}/signin`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");

    await signIn(page, platform.url, session.student);
    const teach = await page.goto(`${platform.url}/teach`);
    expect(teach?.status()).toBe(403);
    expect(await page.getByTestId("forbidden").textContent()).toMatch(/This page is for instructors.*signed in as .*a student account/);
    expect(await page.getByRole("link", { name: "My courses" }).count()).toBeGreaterThan(0);
    await look(page, "403-teach");
  });

  it("tells the student about a regrade until seen; charts are one named stop each; the step page fits a phone", async () => {
    const { page, platform } = session;
    const db = await openDb(platform.databaseUrl);
    try {
      const submissionId = await seedRegradedSubmission(db, session);
      const { course, assignment } = await studentAssignment(db, session.student, "mnist-beat-baseline");

      await page.goto(`${platform.url}/courses/${course.id}`);
      const flag = page.getByTestId("changed-grades");
      expect(await flag.textContent()).toContain("passed → failed (baseline changed 0.1135 → 0.96)");
      await look(page, "course-grade-changed");

      await flag.getByRole("link").click();
      await page.waitForURL(new RegExp(`/submissions/${submissionId}$`));
      expect(await page.getByTestId("regrade-notice").textContent()).toMatch(
        /^Regraded on .+ UTC: passed → failed \(baseline changed 0\.1135 → 0\.96\)Beats the baseline: passed → failed — Accuracy 0\.9700 does not beat the baseline 0\.96$/,
      );

      // Charts: no focusable SVG, each figure one named stop, ticks that differ, accuracy ≤ 1.
      await page.getByTestId("learning-curves").waitFor();
      expect(await page.locator("svg[tabindex], svg[role=application]").count()).toBe(0);
      const figures = page.getByTestId("learning-curves").locator("figure.chart");
      expect(await figures.count()).toBe(2);
      for (const figure of await figures.all()) {
        expect(await figure.getAttribute("tabindex")).toBe("0");
        expect(await figure.getAttribute("aria-label")).toMatch(/^(Loss|Accuracy): training and validation/);
        // Y ticks are the right-aligned ones (recharts draws tick labels in a layer of their own).
        await expect.poll(() => yTicks(figure).count()).toBeGreaterThan(1);
        const ticks = await yTicks(figure).allTextContents();
        expect(new Set(ticks).size).toBe(ticks.length);
      }
      const accuracyTicks = (await yTicks(figures.nth(1)).allTextContents()).map(Number);
      expect(Math.max(...accuracyTicks)).toBeLessThanOrEqual(1);
      await figures.first().getByText("Show data as table").click();
      expect(await figures.first().locator("tbody tr").count()).toBe(5);
      await look(page, "submission-regraded");

      // Seen: the course page no longer flags it.
      await page.goto(`${platform.url}/courses/${course.id}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      expect(await page.getByTestId("changed-grades").count()).toBe(0);

      // The step page on a phone: nothing wider than the screen; tables scroll inside their card.
      await page.goto(`${platform.url}/courses/${course.id}/assignments/${assignment.id}`);
      await page.getByLabel("Model code").waitFor();
      await page.setViewportSize(PHONE);
      await page.waitForLoadState("networkidle");
      const width = await pageWidth(page);
      expect(width.scroll).toBeLessThanOrEqual(width.view);
      await look(page, "step-page");
    } finally {
      await db.close();
    }
  });

  it("a lapsed session asks to sign in on the spot and keeps the typing; a reload signs in and comes back", async () => {
    const { page, platform, browser } = session;
    const db = await openDb(platform.databaseUrl);
    const { course, assignment } = await studentAssignment(db, session.student, "mnist-beat-baseline");
    await db.close();
    const stepUrl = `${platform.url}/courses/${course.id}/assignments/${assignment.id}`;
    await page.goto(stepUrl);
    const editor = page.getByLabel("Model code");
    await editor.click();
    await page.keyboard.press("Control+End");
    await browser.clearCookies();
    await page.keyboard.insertText("\n// typed after the session ended");

    const dialog = page.getByTestId("session-expired");
    await dialog.waitFor({ state: "visible", timeout: 60_000 });
    expect(await page.getByTestId("user-name").count()).toBe(0);
    expect(await page.getByTestId("header-signin").getAttribute("href")).toBe(
      `/signin?next=${encodeURIComponent(new URL(stepUrl).pathname)}`,
    );
    await look(page, "session-expired-dialog");

    await dialog.getByLabel("Email").fill(session.student.email);
    await dialog.getByLabel("Password").fill(session.student.password);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => page.getByTestId("draft-status").textContent(), { timeout: 60_000 }).toBe("Saved");
    expect(await editor.textContent()).toContain("// typed after the session ended");
    await page.getByTestId("user-name").waitFor();

    // A reload without a session: sign in, then back on this step with the draft.
    await browser.clearCookies();
    await page.goto(stepUrl);
    await page.waitForURL(/\/signin\?next=/);
    expect(await page.getByTestId("signin-return").count()).toBe(1);
    await look(page, "signin-return");
    await page.getByLabel("Email").fill(session.student.email);
    await page.getByLabel("Password").fill(session.student.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(stepUrl);
    await expect.poll(() => page.getByLabel("Model code").textContent()).toContain("// typed after the session ended");
  });

  it("the instructor's form says each exercise once, names checks, offers the toolbox on step 7 only; the audit log shows the regrade", async () => {
    const { page, platform, browser } = session;
    await browser.clearCookies();
    await signIn(page, platform.url, session.instructor);
    const db = await openDb(platform.databaseUrl);
    const { course, assignment } = await studentAssignment(db, session.student, "mnist-beat-baseline");
    // A second regrade, left in preview, against a lowered baseline: the preview says what would change.
    const instructor = await userByEmail(db, session.instructor.email);
    const at = Date.now() + 2 * 60 * 60_000;
    await startRegrade(db, { assignmentId: assignment.id, createdBy: instructor?.id ?? "", now: at });
    await gradeNext(db, at + 1, graded(true, 0.5));
    await db.close();

    await page.goto(`${platform.url}/teach/${course.id}`);
    await page.getByText("Add an assignment").click();
    const form = page.getByRole("form", { name: "Add an assignment" });
    const options = await form.getByLabel("Exercise").locator("option").allTextContents();
    expect(options.filter((o) => /Step \d+ — Step \d+/.test(o))).toEqual([]);
    await form.getByLabel("Exercise").selectOption("mnist-beat-baseline");
    expect(await form.getByTestId("toolbox-settings").count()).toBe(0);
    expect(await form.getByLabel("Beats the baseline").count()).toBe(1);
    await form.getByLabel("Exercise").selectOption("mnist-regularize");
    expect(await form.getByTestId("toolbox-settings").count()).toBe(1);
    await look(page, "teach-assignment-form");

    await page.goto(`${platform.url}/teach/${course.id}/assignments/${assignment.id}`);
    const log = page.getByTestId("audit-log");
    expect(await log.locator('[data-action="grade.changed"]').textContent()).toMatch(
      /Grade of .+: passed 1 → failed 0\.25 \(baseline 0\.1135 → 0\.96\)/,
    );
    expect(await log.locator('[data-action="regrade.applied"]').textContent()).toContain("Applied a regrade: 1 regraded, 1 grades changed");
    await look(page, "teach-assignment-audit");

    await page.goto(`${platform.url}/teach/${course.id}/assignments/${assignment.id}/regrade`);
    expect(await page.getByTestId("regrade-why").first().textContent()).toBe(
      "failed → passed (baseline changed 0.96 → 0.5)Beats the baseline: failed → passed — Accuracy 0.9700 beats the baseline 0.5",
    );
    await look(page, "teach-regrade");
    // The preview's wide table scrolls inside its card; the page stays as wide as a phone.
    await page.setViewportSize(PHONE);
    expect((await pageWidth(page)).scroll).toBeLessThanOrEqual(PHONE.width);
    await page.setViewportSize(DESKTOP);
  });
});
