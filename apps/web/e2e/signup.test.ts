import { join } from "node:path";
import type { Page } from "playwright-core";
import { getExercise } from "@stepwise/exercises";
import { answerSolutions } from "@stepwise/exercises/solutions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "./platform";
import { artifacts, openSession, type BrowserSession } from "./session";
const STEP5 = "Step 5 — beat the baseline on MNIST";
const STEP5_IMDB = "Step 5 — beat the baseline on IMDB";

describe("a new student signs up, joins the demo course, previews in the browser, submits a passing and a failing MNIST model, then passes IMDB", () => {
  let session: BrowserSession | undefined;
  let platform: Platform;
  let page: Page;
  /** The join code of this file's own copy of the demo course. */
  let joinCode: string;
  // The page's console errors and uncaught exceptions: CSP violations show up here, and the app must work under its own policy.
  let browserErrors: string[] = [];

  beforeAll(async () => {
    session = await openSession();
    ({ platform, page, joinCode, errors: browserErrors } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  async function shot(name: string) {
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  }

  async function submitAndWait(): Promise<string> {
    const rows = page.getByTestId("submission-list").locator("tbody tr");
    const before = await rows.count();
    await page.getByRole("button", { name: "Submit", exact: true }).click();
    const verdict = page.getByTestId("verdict");
    // Wait for the new submission, so the previous one's verdict is not mistaken for this one's.
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(before + 1);
    await expect.poll(() => page.getByTestId("job-status").textContent(), { timeout: 240_000, interval: 1_000 }).toMatch(/^Graded/);
    return (await verdict.getByRole("heading").first().textContent()) ?? "";
  }

  /** Fills the answer form of steps 1–4 with the catalogue's correct answers and waits for the grader's verdict. */
  async function answerStep(exerciseId: string): Promise<string> {
    const solution = answerSolutions[exerciseId];
    if (!solution) throw new Error(`expected answer solutions for ${exerciseId}, found none`);
    await page.goto(`${platform.url}/courses`);
    await page
      .getByRole("link", { name: /Deep learning workflow/ })
      .first()
      .click();
    await page.getByRole("link", { name: getExercise(exerciseId).title }).click();
    await page.getByRole("heading", { name: "Your answers" }).waitFor();
    // The panel above the questions shows the class balance to count, and the task only once step 1 is behind.
    const facts = page.getByTestId("dataset-facts");
    expect(await facts.getByTestId("class-balance").count(), exerciseId).toBe(1);
    expect(await facts.getByTestId("dataset-task").count(), exerciseId).toBe(getExercise(exerciseId).step === 1 ? 0 : 1);
    if (exerciseId === "mnist-prepare-data") expect(await facts.getByTestId("pixel-range").textContent()).toMatch(/from 0 to 255/);
    for (const [id, value] of Object.entries(solution.correct.answers ?? {})) {
      const question = page.locator(`[data-question="${id}"]`);
      if ((await question.locator("input[type=radio]").count()) > 0)
        await question.locator(`input[type=radio][value="${String(value)}"]`).check();
      else await question.locator("input, textarea").first().fill(String(value));
    }
    await page.getByRole("button", { name: "Submit answers" }).click();
    await expect.poll(() => page.getByTestId("job-status").textContent(), { timeout: 60_000, interval: 500 }).toMatch(/^Graded/);
    return (await page.getByTestId("verdict").getByRole("heading").first().textContent()) ?? "";
  }

  it("runs the whole path", async () => {
    try {
      const response = await page.goto(`${platform.url}/signup`);
      // Security headers on a real page response.
      const headers = response?.headers() ?? {};
      expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
      expect(headers["x-content-type-options"]).toBe("nosniff");

      await page.getByLabel("Name").fill("Robin Newcomer");
      await page.getByLabel("Email").fill("robin@example.test");
      await page.getByLabel("Password", { exact: true }).fill("short");
      await page.getByLabel("Confirm password").fill("short");
      await page.getByRole("button", { name: "Create account" }).click();
      await expect.poll(() => page.locator(".field-error").first().textContent()).toMatch(/at least 10 characters/);
      await page.getByLabel("Password", { exact: true }).fill("a-long-enough-secret");
      await page.getByLabel("Confirm password").fill("a-long-enough-secret");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL(/\/courses$/);
      await expect.poll(() => page.getByTestId("user-name").textContent()).toBe("Robin Newcomer");

      await page.getByLabel("Join code").fill("NOPE-0000");
      await page.getByRole("button", { name: "Join" }).click();
      await expect.poll(() => page.getByRole("alert").first().textContent()).toMatch(/No course has the join code "NOPE-0000"/);
      await page.getByLabel("Join code").fill(joinCode.toLowerCase());
      await page.getByRole("button", { name: "Join" }).click();
      await page.getByText("You joined").waitFor();
      await shot("signup-joined");

      // Steps 1–4 of the workflow: the problem, the measure of success, the protocol, the preparation.
      for (const id of ["mnist-define-problem", "mnist-choose-metric", "mnist-evaluation-protocol", "mnist-prepare-data"]) {
        expect(await answerStep(id), id).toMatch(/Passed/);
      }
      await shot("signup-answers");
      await page.goto(`${platform.url}/courses`);
      await page
        .getByRole("link", { name: /Deep learning workflow/ })
        .first()
        .click();
      await page.getByRole("link", { name: STEP5 }).click();

      // Dataset facts from the server, digits drawn on canvases.
      await page.getByTestId("dataset-facts").waitFor();
      expect(await page.locator("canvas.digit").count()).toBeGreaterThan(5);

      // Preview training in the browser's Web Worker. This Chromium has no GPU: its WebGL draws with
      // SwiftShader on the CPU, where wasm trains faster, so the preview must choose wasm.
      await expect.poll(() => page.getByLabel("Model code").textContent()).toContain("tf.sequential()");
      await page.getByRole("button", { name: "Train preview" }).click();
      await expect
        .poll(() => page.getByTestId("preview-status").textContent(), { timeout: 180_000, interval: 1_000 })
        .toMatch(/^Finished after 3 epochs on 6,000 examples \(wasm\)/);
      expect(await page.getByTestId("preview-error").count()).toBe(0);
      await expect
        .poll(() => page.getByTestId("claim-note").textContent())
        .toMatch(/validation accuracy, 0\.\d+, will be shown beside the grader's/);
      await shot("signup-preview");

      expect(await submitAndWait()).toMatch(/Passed/);
      // The preview's number stands beside the grader's as a preview, never as a failed claim.
      expect(await page.getByTestId("check-claim-reproduced").count()).toBe(0);
      expect(await page.getByTestId("metric-preview").textContent()).toMatch(/^0\.\d+/);
      await shot("signup-passed");

      // A model that cannot learn in time: plain SGD with a tiny learning rate stays at chance.
      await page.getByLabel("Optimizer").selectOption("sgd");
      await page.getByLabel("Learning rate").fill("0.000001");
      expect(await page.getByTestId("claim-note").count()).toBe(0);
      expect(await submitAndWait()).toMatch(/Failed/);
      await shot("signup-failed");

      // Compare the two submissions' curves.
      const boxes = page.getByTestId("submission-list").getByRole("checkbox");
      await expect.poll(() => boxes.count(), { timeout: 60_000 }).toBe(2);
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      await page.getByTestId("curve-comparison").waitFor({ timeout: 60_000 });
      expect(await page.getByTestId("curve-comparison").locator(".recharts-line").count()).toBeGreaterThanOrEqual(4);
      await shot("signup-compare");

      // The same newcomer passes step 5 on IMDB too: reviews with their labels, the prefilled
      // multi-hot model, a passed verdict from the grader.
      await page.goto(`${platform.url}/courses`);
      await page
        .getByRole("link", { name: /Deep learning workflow/ })
        .first()
        .click();
      await page.getByRole("link", { name: STEP5_IMDB }).click();
      await page.getByTestId("dataset-facts").waitFor();
      expect(await page.locator("ul.reviews li").count()).toBeGreaterThan(2);
      await expect.poll(() => page.getByLabel("Model code").textContent()).toContain("tf.sequential()");
      expect(await submitAndWait()).toMatch(/Passed/);
      await shot("signup-imdb-passed");
      expect(browserErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
    } catch (error) {
      await shot("signup-failure").catch(() => undefined);
      console.error(browserErrors.join("\n"));
      console.error(platform.logs().slice(-5000));
      throw error;
    }
  });
});
