import { describe, expect, it } from "vitest";
import { useBrowserSession, screenshot, signIn as signInAs } from "./session";

const STEP7 = "Step 7 — regularize and tune on MNIST";
const ALLOWED_EXPERIMENTS = ["loss-per-batch", "lr-range-test"];

describe("an instructor sets the experiments and toolbox of a step-7 assignment; the student works under them", () => {
  const session = useBrowserSession();

  const signIn = (who: { email: string; password: string }) => signInAs(session.page, session.platform.url, who);

  it("stores the settings, shows them on the edit page, and the student sees the limit, the confirmation and the allowed experiments", async () => {
    const { page, platform, errors: browserErrors } = session;
    try {
      await signIn(session.instructor);
      await page.goto(`${platform.url}/teach`);
      await page.getByLabel("Course title").fill("Toolbox (e2e)");
      await page.getByRole("button", { name: "Create course" }).click();
      await page.waitForURL(/\/teach\/[0-9a-f-]{36}$/);
      const joinCode = ((await page.getByTestId("join-code").textContent()) ?? "").trim();

      await page.getByText("Add an assignment").click();
      const form = page.getByRole("form", { name: "Add an assignment" });
      await form.getByLabel("Exercise").selectOption("mnist-regularize");
      const experiments = form.getByRole("group", { name: "Experiments students may run" });
      for (const box of await experiments.getByRole("checkbox").all()) {
        const name = (await box.getAttribute("value")) ?? "";
        if (!ALLOWED_EXPERIMENTS.includes(name)) await box.uncheck();
      }
      await form.getByLabel("Compute budget per student (s)").fill("120");
      await form
        .getByRole("group", { name: "Techniques students may use" })
        .getByRole("checkbox", { name: /tuning/ })
        .uncheck();
      // Out of range first: refused next to its field.
      await form.getByLabel("Test evaluations per student (1–50)").fill("0");
      await form.getByRole("button", { name: "Add assignment" }).click();
      await expect.poll(() => page.locator("#create-overrides-toolbox-testEvaluations-error").textContent()).toMatch(/>=\s*1/);
      await form.getByLabel("Test evaluations per student (1–50)").fill("1");
      await form.getByLabel("Tuning trials per search (1–50)").fill("4");
      await form.getByRole("button", { name: "Add assignment" }).click();
      const row = page.getByTestId("teach-assignment-row");
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toMatch(/experiments.*toolbox|toolbox.*experiments/);

      // The edit page shows what was stored.
      await row.getByRole("link", { name: "Edit" }).click();
      await page.waitForURL(/\/assignments\/[0-9a-f-]{36}$/);
      const edit = page.getByRole("form", { name: "Assignment settings" });
      await expect.poll(() => edit.getByLabel("Test evaluations per student (1–50)").inputValue()).toBe("1");
      expect(await edit.getByLabel("Tuning trials per search (1–50)").inputValue()).toBe("4");
      expect(await edit.getByLabel("Compute budget per student (s)").inputValue()).toBe("120");
      const checked = await edit
        .getByRole("group", { name: "Experiments students may run" })
        .locator("input:checked")
        .evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
      expect(checked).toEqual(ALLOWED_EXPERIMENTS);
      expect(
        await edit
          .getByRole("group", { name: "Techniques students may use" })
          .getByRole("checkbox", { name: /tuning/ })
          .isChecked(),
      ).toBe(false);
      await screenshot(page, "teach-toolbox");
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${platform.url}/`);

      // The student joins and opens step 7: one test evaluation, and submitting it asks first.
      await signIn(session.student);
      await page.goto(`${platform.url}/courses`);
      await page.getByLabel("Join code").fill(joinCode);
      await page.getByRole("button", { name: "Join" }).click();
      await page.getByText("You joined").waitFor();
      await page.getByRole("link", { name: "Toolbox (e2e)" }).first().click();
      await page.getByRole("link", { name: STEP7 }).click();
      await expect.poll(() => page.getByTestId("test-evaluations").textContent()).toBe("Test evaluations used: 0 of 1");
      await page.getByRole("button", { name: "Submit", exact: true }).click();
      const confirm = page.getByTestId("confirm-last-evaluation");
      await confirm.waitFor();
      expect(await confirm.textContent()).toMatch(/last evaluation on the hidden test set/);
      await confirm.getByRole("button", { name: "Cancel" }).click();
      await expect.poll(() => confirm.count()).toBe(0);
      expect(await page.getByText("Nothing submitted yet.").count()).toBe(1);
      await screenshot(page, "student-step7-limit");

      // The Debugging page offers only the allowed experiments, on the instructor's budget.
      await page.getByRole("link", { name: "Debugging experiments" }).click();
      await page.getByRole("heading", { name: "Debugging experiments", level: 1 }).waitFor();
      await expect.poll(() => page.getByTestId("experiment-budget").textContent()).toMatch(/of 120 s grader time left/);
      expect(await page.getByTestId("experiment-tiny-subset").textContent()).toMatch(/Not available: not allowed on this assignment/);
      expect(await page.getByTestId("experiment-loss-per-batch").textContent()).not.toMatch(/not allowed/);

      // The browser logs the one deliberately invalid form (400); nothing else.
      expect(browserErrors.filter((e) => /status of 400/.test(e))).toHaveLength(1);
      expect(browserErrors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    } catch (error) {
      await screenshot(page, "teach-toolbox-failure");
      console.error(platform.logs().slice(-5000));
      throw error;
    }
  });
});
