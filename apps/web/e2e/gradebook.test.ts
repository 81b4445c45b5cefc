import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../test/gradebook-csv";
import { launchBrowser } from "./browser";
import type { Platform } from "./platform";
import { collectErrors, openSession, screenshot, signIn, type BrowserSession } from "./session";
const STEP5 = "Step 5 — beat the baseline on MNIST";

describe("an instructor grades, regrades and exports in the browser", () => {
  // The instructor's page is the session's; the student works in a browser profile of their own.
  let session: BrowserSession;
  let platform: Platform;
  let studentBrowser: BrowserContext;
  let page: Page;
  let browserErrors: string[];

  beforeAll(async () => {
    session = await openSession();
    ({ platform, page, errors: browserErrors } = session);
    studentBrowser = await launchBrowser();
  });

  afterAll(async () => {
    await studentBrowser?.close();
    await session?.close();
  });

  it("sees the verdict in the gradebook, drills down, previews and applies a regrade, and exports the CSV", async () => {
    const student = await studentBrowser.newPage();
    const studentErrors: string[] = [];
    collectErrors(student, studentErrors);
    try {
      // The student submits the prefilled step-5 model and waits for the grader's verdict.
      await signIn(student, platform.url, session.student);
      await student.goto(`${platform.url}/courses`);
      await student
        .getByRole("link", { name: /Deep learning workflow/ })
        .first()
        .click();
      await student.getByRole("link", { name: STEP5 }).click();
      await student.waitForURL(/\/courses\/[^/]+\/assignments\/[^/?#]+/);
      const [, courseId = "", assignmentId = ""] = /\/courses\/([^/]+)\/assignments\/([^/?#]+)/.exec(student.url()) ?? [];
      expect(courseId).not.toBe("");
      await expect.poll(() => student.getByLabel("Model code").textContent()).toContain("tf.sequential()");
      await student.getByRole("button", { name: "Submit" }).click();
      const verdict = student.getByTestId("verdict");
      await verdict.waitFor({ timeout: 240_000 });
      await expect.poll(() => verdict.getByRole("heading").first().textContent()).toMatch(/Passed/);

      // The instructor's gradebook shows it.
      await signIn(page, platform.url, session.instructor);
      await page.goto(`${platform.url}/teach/${courseId}/gradebook`);
      await page.getByRole("heading", { name: "Gradebook" }).waitFor();
      const row = page.getByTestId("gradebook-row").filter({ hasText: session.student.email });
      const cell = row.getByTestId(`cell-${assignmentId}`);
      expect(await cell.getByTestId("cell-score").textContent()).toBe("100");
      expect(await cell.getByTestId("cell-status").textContent()).toBe("Passed");
      await screenshot(page, "gradebook");

      // Filters are a plain GET form: search narrows the rows.
      await page.getByRole("searchbox", { name: "Student" }).fill("nobody-matches-this");
      await page.getByRole("button", { name: "Apply" }).click();
      await page.waitForURL(/search=nobody-matches-this/);
      expect(await page.getByTestId("gradebook-row").count()).toBe(0);
      await page.getByRole("link", { name: "Clear" }).click();
      await page.getByTestId("gradebook-row").first().waitFor();

      // Drill down: the cell → the attempt → the full record.
      await page
        .getByTestId("gradebook-row")
        .filter({ hasText: session.student.email })
        .getByTestId(`cell-${assignmentId}`)
        .getByRole("link")
        .click();
      await page.getByTestId("attempts").waitFor();
      await page.getByTestId("attempts").getByRole("link").first().click();
      await page.getByRole("heading", { name: /Submission of/ }).waitFor();
      await expect.poll(() => page.getByTestId("verdict").getByRole("heading").first().textContent()).toMatch(/Passed/);
      expect(await page.getByTestId("total-params").textContent()).toMatch(/\d/);
      expect(await page.getByTestId("grader-environment").textContent()).toMatch(/backend [\w+]+ .*seed \d+/);
      expect(await page.getByTestId("job").count()).toBe(1);
      await screenshot(page, "submission-drill-down");

      // The instructor raises the threshold (the assignment's nominal baseline) in the assignment's
      // settings, so this model no longer beats it, and goes on to regrade from there.
      await page.goto(`${platform.url}/teach/${courseId}/assignments/${assignmentId}`);
      const settings = page.getByRole("form", { name: "Assignment settings" });
      await settings.getByLabel("Dumb baseline (0–1)").fill("0.99");
      await settings.getByRole("button", { name: "Save assignment" }).click();
      await expect.poll(() => settings.locator("[aria-live=polite]").textContent()).toMatch(/\S/);
      await page.getByRole("link", { name: "Regrade submissions" }).click();
      await page.waitForURL(/\/regrade$/);

      // Regrade: preview shows 100 → 0 while the gradebook keeps 100; apply makes it the grade.
      await page.getByTestId("start-regrade").click();
      const preview = page.getByTestId("regrade-row").filter({ hasText: session.student.email });
      await expect.poll(() => preview.getByTestId("new-score").textContent(), { timeout: 240_000, interval: 1_000 }).toBe("0");
      expect(await preview.getByTestId("old-score").textContent()).toBe("100");
      const apply = page.getByTestId("apply-regrade");
      await expect.poll(() => apply.isEnabled(), { timeout: 60_000 }).toBe(true);
      await screenshot(page, "regrade-preview");
      await page.goto(`${platform.url}/teach/${courseId}/gradebook`);
      expect(
        await page
          .getByTestId("gradebook-row")
          .filter({ hasText: session.student.email })
          .getByTestId(`cell-${assignmentId}`)
          .getByTestId("cell-score")
          .textContent(),
      ).toBe("100");
      await page.goBack();
      await page.getByTestId("apply-regrade").click();
      await page.getByTestId("apply-result").waitFor();
      expect(await page.getByTestId("apply-result").textContent()).toMatch(/Applied: 1 submission regraded/);

      await page.goto(`${platform.url}/teach/${courseId}/gradebook`);
      const after = page.getByTestId("gradebook-row").filter({ hasText: session.student.email }).getByTestId(`cell-${assignmentId}`);
      expect(await after.getByTestId("cell-score").textContent()).toBe("0");
      expect(await after.getByTestId("cell-status").textContent()).toBe("Failed");

      // The CSV download holds the new grade.
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-grades").click()]);
      expect(download.suggestedFilename()).toBe("deep-learning-workflow-demo-grades.csv");
      // Saved where this process can read it: the browser may run in another process (a shared Chromium).
      const dir = mkdtempSync(join(tmpdir(), "stepwise-download-"));
      await download.saveAs(join(dir, download.suggestedFilename()));
      const csv = parseCsv(readFileSync(join(dir, download.suggestedFilename()), "utf8").replace(/^\uFEFF/, ""));
      rmSync(dir, { recursive: true, force: true });
      const header = csv[0] ?? [];
      expect(header.slice(0, 2)).toEqual(["Name", "Email"]);
      expect(header.at(-1)).toBe("Total");
      const studentRow = csv.find((r) => r[1] === session.student.email);
      const column = header.findIndex((h) => /beat the baseline on MNIST/i.test(h));
      expect(column).toBeGreaterThan(1);
      expect(studentRow?.[column]).toBe("0");
      expect(csv.every((r) => r.length === header.length)).toBe(true);
      expect(browserErrors).toEqual([]);
      expect(studentErrors).toEqual([]);
    } catch (error) {
      await screenshot(page, "gradebook-failure");
      console.error(platform.logs().slice(-5000));
      throw error;
    }
  });
});
