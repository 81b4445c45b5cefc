import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoDir } from "./platform";
import { openTaughtCourse, screenshot, signIn, useBrowserSession } from "./session";

// 600 rows of the built-in house-price table: small enough to preview-train in seconds.
const houses = readFileSync(join(repoDir, "packages", "exercises", "data", "house-prices.csv"), "utf8");
const slice = `${houses.trim().split("\n").slice(0, 601).join("\n")}\n`;
const FILE = "data/houses-600.csv";

describe("an instructor places step 5 on an uploaded CSV; the student sees its facts and preview-trains on it", () => {
  const session = useBrowserSession();

  it("uploads, picks the dataset with its target and task, and the student's page and preview follow it", async () => {
    const { page, platform, student, instructor, errors: browserErrors } = session;
    try {
      const courseId = await openTaughtCourse(page, platform.url, instructor);
      const teachUrl = page.url();

      await page.getByRole("link", { name: "Datasets" }).click();
      await page.getByLabel("CSV file").setInputFiles({ name: "houses.csv", mimeType: "text/csv", buffer: Buffer.from(slice) });
      await page.getByLabel("Name in the course").fill(FILE);
      await page.getByRole("button", { name: "Upload" }).click();
      await expect
        .poll(() => page.getByTestId("upload-result").textContent())
        .toMatch(/Stored data\/houses-600\.csv: 600 rows, 10 columns/);

      // The dataset picker: the uploaded table, its target and task; what that implies is shown before saving.
      await page.goto(teachUrl);
      await page.getByText("Add an assignment").click();
      const form = page.getByRole("form", { name: "Add an assignment" });
      await form.getByLabel("Exercise").selectOption("houses-beat-baseline");
      await form.getByLabel("Table the models train and are graded on").selectOption(FILE);
      await form.getByLabel("Target column (what the models predict)").selectOption("price");
      await form.getByLabel("Regression (a number)").check();
      await expect.poll(() => form.getByTestId("dataset-implies").textContent()).toMatch(/Graded by mean absolute error/);
      await expect.poll(() => form.getByTestId("csv-input-shape").textContent(), { timeout: 60_000 }).toBe("[19]");
      expect(await form.getByTestId("target-range").textContent()).toMatch(/Over the training rows, price ranges from/);
      await form.getByLabel("Title").fill("House prices on our table");
      await form.getByRole("button", { name: "Add assignment" }).click();
      const row = page.getByTestId("teach-assignment-row").filter({ hasText: "House prices on our table" });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain("dataset");
      const editHref = (await row.getByRole("link", { name: "Edit" }).getAttribute("href")) ?? "";
      const assignmentId = /\/assignments\/([0-9a-f-]{36})$/.exec(editHref)?.[1] ?? "";
      expect(assignmentId).not.toBe("");
      await screenshot(page, "csv-assignment-teach");

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${platform.url}/`);
      await signIn(page, platform.url, student);
      await page.goto(`${platform.url}/courses/${courseId}/assignments/${assignmentId}`);

      // The student sees the uploaded table's training-split facts.
      const facts = page.getByTestId("dataset-facts");
      await facts.waitFor();
      expect(await facts.getByRole("heading", { level: 2 }).textContent()).toContain(FILE);
      expect(await facts.getByTestId("csv-input-shape").textContent()).toBe("[19]");
      expect(await facts.textContent()).toMatch(/Training rows480/);
      expect(await facts.getByTestId("csv-sample").locator("tbody tr").count()).toBe(5);

      // Preview training on the encoded training rows: regression reports the MAE, not accuracy.
      await expect.poll(() => page.getByLabel("Model code").textContent()).toContain("tf.sequential()");
      await page.getByRole("spinbutton", { name: "Epochs" }).fill("3");
      await page.getByRole("button", { name: "Train preview" }).click();
      await expect
        .poll(() => page.getByTestId("preview-status").textContent(), { timeout: 180_000, interval: 1_000 })
        .toMatch(/^Finished after 3 epochs on 480 examples \(wasm\)\. Validation mean absolute error [\d,.]+ \(in the target's unit\)\.$/);
      expect(await page.getByTestId("preview-error").count()).toBe(0);
      expect(await page.getByTestId("claim-note").count()).toBe(0);
      await screenshot(page, "csv-assignment-student");
      expect(browserErrors).toEqual([]);
    } catch (error) {
      await screenshot(page, "csv-assignment-failure");
      console.error(platform.logs().slice(-5000));
      throw error;
    }
  });
});
