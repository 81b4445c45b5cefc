import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fillAnswers } from "./answers";
import { openTaughtCourse, screenshot, signIn, useBrowserSession } from "./session";

const states = (page: Page, project: string) =>
  page
    .locator(`[data-testid="project-card"][data-project="${project}"] [data-testid="project-step"]`)
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-state")));

describe("the guided journey: the course page shows each project's path, a locked step refuses with its reason, a pass leads on", () => {
  const session = useBrowserSession({ courseMode: "guided" });

  it("shows one card per dataset with step 1 open and the rest locked, saying what unlocks them", async () => {
    const { platform, page, errors } = session;
    try {
      await signIn(page, platform.url, session.student);
      await page
        .getByRole("link", { name: /Deep learning workflow/ })
        .first()
        .click();
      const cards = page.getByTestId("project-card");
      await cards.first().waitFor();
      expect(await cards.evaluateAll((els) => els.map((e) => e.querySelector("h2")?.textContent))).toEqual([
        "MNIST",
        "IMDB",
        "credit-default.csv",
        "house-prices.csv",
      ]);
      for (const key of ["mnist", "imdb"])
        expect(await states(page, key)).toEqual(["open", "locked", "locked", "locked", "locked", "locked", "locked"]);
      const mnist = cards.first();
      expect(await mnist.getByTestId("project-summary").textContent()).toBe("0 of 7 passed");
      expect(await mnist.getByTestId("continue-link").textContent()).toBe("Continue: step 1 — Define the problem and assemble a dataset");
      expect(await mnist.getByTestId("lock-reason").nth(3).textContent()).toBe("Pass step 4 (Prepare your data) on MNIST first.");
      await screenshot(page, "journey-course-fresh");
      expect(errors).toEqual([]);
    } catch (error) {
      await screenshot(page, "journey-course-failure");
      console.error(platform.logs().slice(-3000));
      throw error;
    }
  });

  it("says up front that a locked step is locked, why, and which step unlocks it, with Submit disabled", async () => {
    const { platform, page } = session;
    try {
      await page.getByRole("link", { name: "Step 2 — choose a measure of success on MNIST" }).click();
      const notice = page.getByTestId("lock-notice");
      await notice.waitFor();
      const reason = "Pass step 1 (Define the problem and assemble a dataset) on MNIST first.";
      expect(await notice.textContent()).toContain(reason);
      expect(await notice.getByTestId("unlock-link").textContent()).toBe("Go to step 1 — Define the problem and assemble a dataset");
      const submit = page.getByRole("button", { name: "Submit answers" });
      expect(await submit.isDisabled()).toBe(true);
      expect(await submit.getAttribute("title")).toBe(reason);
      expect(await page.getByText("Nothing submitted yet.").count()).toBe(1);
      await screenshot(page, "journey-locked-step");
    } catch (error) {
      await screenshot(page, "journey-locked-failure");
      console.error(platform.logs().slice(-3000));
      throw error;
    }
  });

  it("passes step 1 on MNIST, offers 'Next: step 2', and the course page moves on", async () => {
    const { platform, page, errors } = session;
    try {
      await page.getByTestId("unlock-link").click();
      await page.getByRole("heading", { name: "Step 1 — define the problem on MNIST" }).waitFor();
      await fillAnswers(page, "mnist-define-problem");
      await page.getByRole("button", { name: "Submit answers" }).click();
      const verdict = page.getByTestId("verdict");
      await verdict.waitFor({ timeout: 120_000 });
      await expect.poll(() => verdict.getByRole("heading").first().textContent(), { timeout: 60_000 }).toMatch(/Passed/);
      // The status line above the verdict names the same outcome.
      expect(await page.getByTestId("job-status").textContent()).toBe("Graded: Passed");
      const next = page.getByTestId("next-step-link");
      await next.waitFor();
      expect(await next.textContent()).toBe("Next: step 2 — Choose a measure of success (MNIST)");
      await screenshot(page, "journey-next-link");
      await next.click();
      await page.getByRole("heading", { name: /Step 2 — choose a measure of success on MNIST/ }).waitFor();

      await page.getByRole("link", { name: "← Back to the course" }).click();
      await page.getByTestId("project-card").first().waitFor();
      expect(await states(page, "mnist")).toEqual(["passed", "open", "locked", "locked", "locked", "locked", "locked"]);
      expect(await states(page, "imdb")).toEqual(["open", "locked", "locked", "locked", "locked", "locked", "locked"]);
      const mnist = page.getByTestId("project-card").first();
      expect(await mnist.getByTestId("project-summary").textContent()).toBe("1 of 7 passed");
      expect(await mnist.getByTestId("continue-link").textContent()).toBe("Continue: step 2 — Choose a measure of success");
      await screenshot(page, "journey-course-after-step-1");
      expect(errors).toEqual([]);
    } catch (error) {
      await screenshot(page, "journey-pass-failure");
      console.error(platform.logs().slice(-3000));
      throw error;
    }
  });

  it("lets the instructor open a step, mark one passed and undo both from the student's progress page", async () => {
    const { platform, page, errors } = session;
    try {
      await page.getByRole("button", { name: "Sign out" }).first().click();
      await page.waitForURL(/\/signin|\/$/);
      await openTaughtCourse(page, platform.url, session.instructor);
      await page.getByTestId("student-row").filter({ hasText: session.student.email }).getByRole("link").click();
      const mnist = page.locator('[data-testid="override-project"][data-project="mnist"]');
      await mnist.waitFor();
      const rows = mnist.getByTestId("override-step");
      const stateOf = () => rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
      expect(await stateOf()).toEqual(["passed", "open", "locked", "locked", "locked", "locked", "locked"]);
      await mnist.getByRole("button", { name: "Open step 3" }).click();
      await expect.poll(stateOf).toEqual(["passed", "open", "open", "locked", "locked", "locked", "locked"]);
      await mnist.getByRole("button", { name: "Mark step 2 passed" }).click();
      await expect.poll(stateOf).toEqual(["passed", "passed", "open", "locked", "locked", "locked", "locked"]);
      expect(await rows.nth(1).textContent()).toContain("Marked passed by an instructor");
      await screenshot(page, "journey-teach-overrides");
      await rows.nth(1).getByRole("button", { name: "Undo" }).click();
      await expect.poll(stateOf).toEqual(["passed", "open", "open", "locked", "locked", "locked", "locked"]);
      await rows.nth(2).getByRole("button", { name: "Undo" }).click();
      await expect.poll(stateOf).toEqual(["passed", "open", "locked", "locked", "locked", "locked", "locked"]);
      expect(errors).toEqual([]);
    } catch (error) {
      await screenshot(page, "journey-overrides-failure");
      console.error(platform.logs().slice(-3000));
      throw error;
    }
  });
});
