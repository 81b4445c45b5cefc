/**
 * One guided project walked in the browser: the credit table's steps 1–4 answered, step 5 trained and
 * graded for real (a few epochs), its verdict reporting the metric chosen in step 2 first and, in its
 * environment, step 3's protocol and step 4's preparation; then step 6 opening on the step-5 model.
 */
import { openDb } from "@stepwise/db";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fillAnswers } from "./answers";
import { DEMO_STUDENT, demoStudentAssignment, screenshot, signIn, useBrowserSession } from "./session";

const PROJECT = "csv:credit-default.csv:default";
const STEPS = ["credit-define-problem", "credit-choose-metric", "credit-evaluation-protocol", "credit-prepare-data"];

const states = (page: Page) => page.locator(`[data-testid="project-card"][data-project="${PROJECT}"] [data-testid="project-step"]`).evaluateAll((rows) => rows.map((r) => r.getAttribute("data-state")));

async function passedVerdict(page: Page, timeout: number): Promise<void> {
  const verdict = page.getByTestId("verdict");
  await verdict.waitFor({ timeout });
  await expect.poll(() => verdict.getByRole("heading").first().textContent(), { timeout: 10_000 }).toMatch(/Passed/);
}

describe("a guided project's decisions carry forward, walked in the browser", () => {
  const session = useBrowserSession({ courseMode: "guided" });

  it("answers steps 1–4 on the credit table, then step 5's verdict reports the chosen metric and the protocol and preparation", async () => {
    const { platform, page, errors } = session;
    const db = await openDb(platform.databaseUrl);
    try {
      const courseOf = await demoStudentAssignment(db, "credit-define-problem");
      const pageOf = async (exerciseId: string) => `${platform.url}/courses/${courseOf.course.id}/assignments/${(await demoStudentAssignment(db, exerciseId)).assignment.id}`;
      await signIn(page, platform.url, DEMO_STUDENT);
      await page.goto(`${platform.url}/courses/${courseOf.course.id}`);
      await page.locator(`[data-project="${PROJECT}"]`).waitFor();
      expect(await states(page)).toEqual(["open", "locked", "locked", "locked", "locked", "locked", "locked"]);

      await page.goto(await pageOf(STEPS[0] ?? ""));
      for (const [i, exerciseId] of STEPS.entries()) {
        await fillAnswers(page, exerciseId);
        await page.getByRole("button", { name: "Submit answers" }).click();
        await passedVerdict(page, 120_000);
        const next = page.getByTestId("next-step-link");
        await next.waitFor();
        expect(await next.textContent()).toMatch(new RegExp(`^Next: step ${i + 2} — .* \\(credit-default\\.csv\\)$`));
        await next.click();
        await page.getByRole("heading", { level: 1 }).filter({ hasText: `Step ${i + 2}` }).waitFor();
      }

      await page.goto(`${platform.url}/courses/${courseOf.course.id}`);
      await page.locator(`[data-project="${PROJECT}"]`).waitFor();
      expect(await states(page)).toEqual(["passed", "passed", "passed", "passed", "open", "locked", "locked"]);
      await screenshot(page, "guided-decisions-course-after-step-4");

      // Step 5: the starter model, a few epochs, graded with step 3's 5-fold protocol and step 4's standardization.
      await page.goto(await pageOf("credit-beat-baseline"));
      await page.getByRole("spinbutton", { name: "Epochs" }).fill("4");
      await page.getByRole("button", { name: "Submit", exact: true }).click();
      await passedVerdict(page, 300_000);
      const verdict = page.getByTestId("verdict");
      // Step 2's answer was precision and recall: recall of the rare class comes first.
      expect(await verdict.locator(".metric .label").first().textContent()).toMatch(/^Recall for default = 1 \(test\) — your metric \(step 2\)$/);
      expect(await page.getByTestId("environment-decisions").textContent()).toBe(
        "Metric: precision and recall (chosen in step 2) · Protocol: 5-fold (step 3) · Preparation: standardize, fitted on training rows (step 4)",
      );
      expect(await page.getByTestId("verdict-summary").textContent()).toMatch(/K-fold \(K = 5\)/);
      await verdict.scrollIntoViewIfNeeded();
      await screenshot(page, "guided-decisions-step5-verdict");

      // Step 6 opens on the step-5 model just passed.
      const next = page.getByTestId("next-step-link");
      expect(await next.textContent()).toBe("Next: step 6 — Scale up: develop a model that overfits (credit-default.csv)");
      await next.click();
      await expect.poll(() => page.getByTestId("editor-origin").textContent(), { timeout: 30_000 }).toMatch(/^Starting from your passing step-5 model/);
      await screenshot(page, "guided-decisions-step6-editor");
      await page.goto(`${platform.url}/courses/${courseOf.course.id}`);
      await page.locator(`[data-project="${PROJECT}"]`).waitFor();
      expect(await states(page)).toEqual(["passed", "passed", "passed", "passed", "passed", "open", "locked"]);
      expect(errors).toEqual([]);
    } catch (error) {
      await screenshot(page, "guided-decisions-failure");
      console.error(platform.logs().slice(-4000));
      throw error;
    } finally {
      await db.close();
    }
  });
});
