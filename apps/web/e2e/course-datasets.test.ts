import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoDir } from "./platform";
import { openTaughtCourse, screenshot, useBrowserSession } from "./session";
const credit = readFileSync(join(repoDir, "packages", "exercises", "data", "credit-default.csv"));

describe("an instructor uploads a CSV into a course, chooses its target and sees the facts", () => {
  const session = useBrowserSession();

  it("uploads, lists, refuses a broken file with its line and column, and previews the class balance of the training rows", async () => {
    const { page, platform, instructor, errors: browserErrors } = session;
    try {
      await openTaughtCourse(page, platform.url, instructor);
      await page.getByRole("link", { name: "Datasets" }).click();
      await page.waitForURL(/\/teach\/[0-9a-f-]{36}\/datasets$/);
      await page.getByRole("heading", { level: 1, name: "Datasets" }).waitFor();
      expect(await page.getByTestId("hidden-test-note").textContent()).toMatch(/20% of the rows as hidden test data/);

      // A broken file: the error names the line and the column.
      await page
        .getByLabel("CSV file")
        .setInputFiles({ name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from("age,default\n31,0\nold,1\n40,0\n") });
      await page.getByRole("button", { name: "Upload" }).click();
      await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/line 3, column `age`: expected a number, got "old"/i);

      await page.getByLabel("CSV file").setInputFiles({ name: "loans.csv", mimeType: "text/csv", buffer: credit });
      await page.getByLabel("Name in the course").fill("data/loans.csv");
      await page.getByRole("button", { name: "Upload" }).click();
      await expect.poll(() => page.getByTestId("upload-result").textContent()).toMatch(/Stored data\/loans\.csv: 2,000 rows, 10 columns/);
      await expect.poll(() => page.getByTestId("dataset-row").filter({ hasText: "data/loans.csv" }).count()).toBe(1);

      await page.getByLabel("Target column (what the models predict)").selectOption("default");
      await page.getByLabel("Binary classification (two classes)").check();
      await page.getByRole("button", { name: "Show the facts" }).click();
      const facts = page.getByTestId("dataset-facts");
      await expect.poll(() => facts.getByTestId("preview-balance").locator("tbody tr").count()).toBe(2);
      const text = (await facts.textContent()) ?? "";
      expect(text).toMatch(/Training rows \(students' models\)1,600/);
      expect(text).toMatch(/Hidden test rows \(20\.0%\)400/);
      expect(text).toMatch(/Each row becomes 17 numbers/);
      await screenshot(page, "course-datasets");

      // A target that does not fit the task is explained, not crashed on.
      await page.getByLabel("Target column (what the models predict)").selectOption("employment");
      await page.getByRole("button", { name: "Show the facts" }).click();
      await expect
        .poll(() => facts.getByRole("alert").textContent())
        .toMatch(/binary target needs exactly 2 classes, column `employment` has 4/i);
      // The browser logs the refused upload (400); nothing else may go wrong.
      expect(browserErrors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    } catch (error) {
      await screenshot(page, "course-datasets-failure");
      throw error;
    }
  });
});
