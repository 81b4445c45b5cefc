import { createSubmissionWithJob, openDb } from "@stepwise/db";
import { solutions } from "@stepwise/exercises/solutions";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations } from "./axe";
import { launchBrowser } from "./browser";
import { openSession, studentAssignment, screenshot, signIn, type BrowserSession } from "./session";

describe("a student asks why a submission failed, runs a suggested experiment and finds it on the Debugging page", () => {
  let session: BrowserSession;
  /** Only for injecting axe-core; the test itself runs under the app's CSP. */
  let auditBrowser: BrowserContext;
  let submissionId = "";
  let debuggingPath = "";

  beforeAll(async () => {
    session = await openSession();
    auditBrowser = await launchBrowser({ bypassCSP: true });
    // The failed submission: the naive MNIST model (SGD at learning rate 1e-7) learns nothing.
    const naive = solutions["mnist-beat-baseline"]?.naive;
    if (!naive) throw new Error("the naive MNIST step-5 solution is missing");
    const db = await openDb(session.platform.databaseUrl);
    try {
      const { student, course, assignment } = await studentAssignment(db, session.student, "mnist-beat-baseline");
      const { submission } = await createSubmissionWithJob(
        db,
        { assignmentId: assignment.id, userId: student.id, exerciseId: naive.exerciseId, payload: naive },
        Date.now(),
      );
      submissionId = submission.id;
      debuggingPath = `/courses/${course.id}/assignments/${assignment.id}/debugging`;
    } finally {
      await db.close();
    }
  });

  afterAll(async () => {
    await auditBrowser?.close();
    await session?.close();
  });

  it("opens 'Why did this fail?', runs the loss-per-batch check and sees its finding and chart on the Debugging page", async () => {
    const { platform, page, errors } = session;
    try {
      await signIn(page, platform.url, session.student);
      await page.goto(`${platform.url}/submissions/${submissionId}`);
      const verdict = page.getByTestId("verdict");
      await verdict.waitFor({ timeout: 240_000 });
      await expect.poll(() => verdict.getByRole("heading").first().textContent()).toMatch(/Failed/);

      // The verdict suggests the checklist's first questions for a model that fell short.
      const why = page.getByRole("region", { name: "Why did this fail?" });
      await why.waitFor({ timeout: 60_000 });
      const suggestion = why.getByTestId("suggestion-loss-per-batch");
      expect(await suggestion.getByRole("heading").textContent()).toBe("Is the loss decreasing?");
      expect(await why.getByTestId("experiment-budget").textContent()).toMatch(/600 s grader time left/);
      await suggestion.getByRole("button", { name: "Run Is the loss decreasing?", exact: true }).click();

      // The grader runs it; the finding appears in place.
      const message = suggestion.getByTestId("experiment-message");
      await message.waitFor({ timeout: 180_000 });
      const finding = await message.textContent();
      expect(finding).toMatch(/loss/i);
      await screenshot(page, "why-did-this-fail");

      // The Debugging page lists every experiment; this one shows its last result with a chart.
      await page.getByRole("link", { name: /All experiments and their results on the Debugging page/ }).click();
      await page.waitForURL((url) => url.pathname === debuggingPath);
      await page.getByRole("heading", { name: "Debugging experiments", level: 1 }).waitFor();
      const section = page.getByTestId("experiment-loss-per-batch");
      expect(await section.getByTestId("experiment-message").textContent()).toBe(finding);
      expect(await section.locator(".recharts-line").count()).toBeGreaterThan(0);
      expect(await page.getByTestId("experiment-tiny-subset").getByText("Not run yet.").count()).toBe(1);
      expect(await page.getByTestId("experiment-label-scale").textContent()).toMatch(/Not available: does not apply to classification/);
      // The run was charged its measured time against the budget (never an attempt).
      expect(await page.getByTestId("experiment-budget").textContent()).toMatch(/of 600 s grader time left/);
      await screenshot(page, "debugging-page");
      expect(errors).toEqual([]);

      // Both pages, with a result and its chart on them, pass axe-core.
      const audit = await auditBrowser.newPage();
      await signIn(audit, platform.url, session.student);
      for (const path of [`/submissions/${submissionId}`, debuggingPath]) {
        await audit.goto(`${platform.url}${path}`);
        expect(await seriousViolations(audit), path).toEqual([]);
      }
    } catch (error) {
      await screenshot(page, "debugging-failure");
      console.error(platform.logs().slice(-5000));
      throw error;
    }
  });
});
