import { describe, expect, it } from "vitest";
import { useBrowserSession, screenshot, signIn as signInAs } from "./session";
const STEP5 = "Step 5 — beat the baseline on MNIST";

describe("an instructor creates a course with an assignment override; a student joins it with the join code", () => {
  const session = useBrowserSession();

  const signIn = (who: { email: string; password: string }) => signInAs(session.page, session.platform.url, who);

  it("creates the course and the assignment, then the student sees the step with the instructor's budget", async () => {
    const { page, platform, errors: browserErrors } = session;
    try {
      await signIn(session.instructor);
      await page.getByRole("link", { name: "Teach", exact: true }).click();
      await page.waitForURL(/\/teach$/);
      await expect.poll(() => page.getByTestId("taught-course").count()).toBeGreaterThan(0);

      // Create a course: an empty title is refused next to the field.
      await page.getByRole("button", { name: "Create course" }).click();
      await expect.poll(() => page.locator("#course-title-error").textContent()).toMatch(/Enter a course title/);
      await page.getByLabel("Course title").fill("Applied ML (e2e)");
      await page.getByRole("button", { name: "Create course" }).click();
      await page.waitForURL(/\/teach\/[0-9a-f-]{36}$/);
      await page.getByRole("heading", { level: 1, name: "Applied ML (e2e)" }).waitFor();
      const joinCode = ((await page.getByTestId("join-code").textContent()) ?? "").trim();
      expect(joinCode).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);

      // Add step 5 with a tighter epoch budget; an out-of-range value is refused next to its field first.
      await page.getByText("Add an assignment").click();
      const form = page.getByRole("form", { name: "Add an assignment" });
      await form.getByLabel("Exercise").selectOption("mnist-beat-baseline");
      await form.getByLabel("Max epochs").fill("0");
      await form.getByRole("button", { name: "Add assignment" }).click();
      await expect.poll(() => page.locator("#create-overrides-budgets-maxEpochs-error").textContent()).toMatch(/>=\s*1/);
      await form.getByLabel("Max epochs").fill("3");
      await form.getByRole("button", { name: "Add assignment" }).click();
      const row = page.getByTestId("teach-assignment-row");
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain("mnist-beat-baseline");
      expect(await row.textContent()).toContain("overrides: budgets");

      // The edit page shows the stored override.
      await row.getByRole("link", { name: "Edit" }).click();
      await page.waitForURL(/\/assignments\/[0-9a-f-]{36}$/);
      await expect.poll(() => page.getByRole("form", { name: "Assignment settings" }).getByLabel("Max epochs").inputValue()).toBe("3");
      await screenshot(page, "teach-assignment");

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${platform.url}/`);

      // The student joins with the code and sees the step with the instructor's budget.
      await signIn(session.student);
      await expect(page.getByRole("link", { name: "Teach", exact: true }).count()).resolves.toBe(0);
      await page.goto(`${platform.url}/courses`);
      await page.getByLabel("Join code").fill(joinCode.toLowerCase());
      await page.getByRole("button", { name: "Join" }).click();
      await page.getByText("You joined").waitFor();
      // Follow the link by its address: a click that lands before the list hydrates can be lost.
      const course = await page.getByRole("link", { name: "Applied ML (e2e)" }).first().getAttribute("href");
      await page.goto(`${platform.url}${course ?? ""}`);
      await page.getByRole("link", { name: STEP5 }).click();
      const epochs = page.locator("dl[aria-label='Budgets'] .metric", { hasText: "Max epochs" }).locator("dd");
      await expect.poll(() => epochs.textContent()).toBe("3");
      // Students never reach the instructor pages, and are told why.
      const teach = await page.goto(`${platform.url}/teach`);
      expect(teach?.status()).toBe(403);
      await expect.poll(() => page.getByTestId("forbidden").textContent()).toMatch(/for instructors/);
      // The browser logs each refused request: the two deliberately invalid forms (400) and the 403 above; nothing else.
      expect(browserErrors.filter((e) => /status of 400/.test(e))).toHaveLength(2);
      expect(browserErrors.filter((e) => !/status of (400|403)/.test(e))).toEqual([]);
    } catch (error) {
      await screenshot(page, "teach-failure");
      console.error(platform.logs().slice(-5000));
      throw error;
    }
  });
});
