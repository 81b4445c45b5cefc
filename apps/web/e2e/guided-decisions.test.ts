/**
 * One guided project walked in the browser: the credit table's steps 1–4 answered, step 5 trained and
 * graded for real (a few epochs), its verdict reporting the metric chosen in step 2 first and, in its
 * environment, step 3's protocol and step 4's preparation; step 6 opening on the step-5 model and a
 * scaled-up model overfitting; step 7 opening on that model, its target in step 2's metric, and a
 * regularized model passing it, graded on the hidden test rows.
 */
import { openDb } from "@stepwise/db";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fillAnswers } from "./answers";
import { screenshot, signIn, studentAssignment, useBrowserSession } from "./session";

const PROJECT = "csv:credit-default.csv:default";
const STEPS = ["credit-define-problem", "credit-choose-metric", "credit-evaluation-protocol", "credit-prepare-data"];

const states = (page: Page) =>
  page
    .locator(`[data-testid="project-card"][data-project="${PROJECT}"] [data-testid="project-step"]`)
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-state")));

/** The credit table's model: 17 inputs, a 128-unit hidden layer, `middle`, one sigmoid unit. */
const creditModel = (middle: string) =>
  `const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [17], units: 128, activation: "relu" }));\n${middle}\nmodel.add(tf.layers.dense({ units: 1, activation: "sigmoid" }));\nreturn model;\n`;

/** Replaces the editor's code as typing would (inserted text, so CodeMirror adds no closing brackets). */
async function typeCode(page: Page, code: string): Promise<void> {
  await page.getByLabel("Model code").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(code);
}

async function passedVerdict(page: Page, timeout: number): Promise<void> {
  const verdict = page.getByTestId("verdict");
  await verdict.waitFor({ timeout });
  await expect.poll(() => verdict.getByRole("heading").first().textContent(), { timeout: 60_000 }).toMatch(/Passed/);
}

describe("a guided project's decisions carry forward, walked in the browser", () => {
  const session = useBrowserSession({ courseMode: "guided" });

  it("answers steps 1–4 on the credit table, step 5's verdict reports the chosen metric, protocol and preparation, step 6 overfits, a regularized step 7 passes, held to recall", async () => {
    const { platform, page, errors } = session;
    const db = await openDb(platform.databaseUrl);
    try {
      const courseOf = await studentAssignment(db, session.student, "credit-define-problem");
      const pageOf = async (exerciseId: string) =>
        `${platform.url}/courses/${courseOf.course.id}/assignments/${(await studentAssignment(db, session.student, exerciseId)).assignment.id}`;
      await signIn(page, platform.url, session.student);
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
        await page
          .getByRole("heading", { level: 1 })
          .filter({ hasText: `Step ${i + 2}` })
          .waitFor();
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
      expect(await verdict.locator(".metric .label").first().textContent()).toMatch(
        /^Recall for default = 1 \(test\) — your metric \(step 2\)$/,
      );
      expect(await page.getByTestId("environment-decisions").textContent()).toBe(
        "Metric: precision and recall (chosen in step 2) · Protocol: 5-fold (step 3) · Preparation: standardize, fitted on training rows (step 4)",
      );
      expect(await page.getByTestId("verdict-summary").textContent()).toMatch(/K-fold \(K = 5\)/);
      await verdict.scrollIntoViewIfNeeded();
      await screenshot(page, "guided-decisions-step5-verdict");

      // Step 6 opens on the step-5 model just passed; scaled up (two wide layers, more epochs), it overfits the table.
      const next = page.getByTestId("next-step-link");
      expect(await next.textContent()).toBe("Next: step 6 — Scale up: develop a model that overfits (credit-default.csv)");
      await next.click();
      await expect
        .poll(() => page.getByTestId("editor-origin").textContent(), { timeout: 60_000 })
        .toMatch(/^Starting from your passing step-5 model/);
      expect(await page.getByLabel("Model code").textContent()).toContain("units: 16");
      await screenshot(page, "guided-decisions-step6-editor");
      await page.goto(`${platform.url}/courses/${courseOf.course.id}`);
      await page.locator(`[data-project="${PROJECT}"]`).waitFor();
      expect(await states(page)).toEqual(["passed", "passed", "passed", "passed", "passed", "open", "locked"]);

      await page.goto(await pageOf("credit-overfit"));
      const overfitting = creditModel('model.add(tf.layers.dense({ units: 128, activation: "relu" }));');
      await typeCode(page, overfitting);
      await page.getByRole("spinbutton", { name: "Epochs" }).fill("20");
      await page.getByRole("button", { name: "Submit", exact: true }).click();
      await passedVerdict(page, 420_000);
      expect(await page.getByTestId("check-overfits").getByLabel("passed", { exact: true }).count()).toBe(1);
      expect(await page.getByTestId("environment-decisions").textContent()).toMatch(
        /Protocol: 5-fold \(step 3\) · Preparation: standardize/,
      );

      // Step 7 opens on that step-6 model, states its target in step 2's metric, and grades a regularized model on the test set.
      const toStep7 = page.getByTestId("next-step-link");
      expect(await toStep7.textContent()).toMatch(/^Next: step 7 — .* \(credit-default\.csv\)$/);
      await toStep7.click();
      await expect
        .poll(() => page.getByTestId("editor-origin").textContent(), { timeout: 60_000 })
        .toMatch(/^Starting from your passing step-6 model/);
      // CodeMirror renders one element per line: the text is the step-6 code without its line breaks (not the step-7 starter).
      expect(await page.getByLabel("Model code").textContent()).toBe(overfitting.replaceAll("\n", ""));
      expect(await page.getByTestId("project-metric").textContent()).toBe("MetricPrecision and recall (your choice in step 2)");
      expect(await page.getByTestId("target").textContent()).toBe("Target on the test setTest recall ≥ 0.6");
      await page
        .getByText("In your project the target is in the metric you chose in step 2: test recall of at least 0.6.", { exact: false })
        .waitFor();
      await typeCode(
        page,
        creditModel(
          'model.add(tf.layers.dropout({ rate: 0.5 }));\nmodel.add(tf.layers.dense({ units: 128, activation: "relu" }));\nmodel.add(tf.layers.dropout({ rate: 0.5 }));',
        ),
      );
      await page.getByRole("spinbutton", { name: "Epochs" }).fill("8");
      await page.getByRole("button", { name: "Submit", exact: true }).click();
      // Dropout narrows the gap the 5-fold step-6 model ends its 20 epochs with (its best validation epoch comes
      // early, before its overfitting shows), and the final model reaches the recall target: step 7 passes.
      await passedVerdict(page, 600_000);
      const step7 = page.getByTestId("verdict");
      const gapCheck = page.getByTestId("check-smaller-gap");
      expect(await gapCheck.getByLabel("passed", { exact: true }).count()).toBe(1);
      expect(await gapCheck.textContent()).toMatch(
        /loss gap where training ends .*: 0\.\d{4} before \(epoch 20\), 0\.\d{4} after \(epoch 8\) — regularization narrowed it by 0\.\d{4}\./,
      );
      // The target check and the target row speak recall; the final model was evaluated on the hidden test rows.
      expect(await page.getByTestId("check-reaches-target").textContent()).toMatch(
        /Test recall of the final model 0\.\d{3} reaches the target 0\.600/,
      );
      expect(
        await step7
          .locator(".metric .label")
          .filter({ hasText: /^Target: test recall of the final model \(your metric, step 2\)$/ })
          .count(),
      ).toBe(1);
      expect(
        await step7
          .locator(".metric .label")
          .filter({ hasText: /^Test accuracy of the final model \(trained on train\+validation\)$/ })
          .count(),
      ).toBe(1);
      expect(
        await step7
          .locator(".metric .label")
          .filter({ hasText: /step-6 model/ })
          .count(),
      ).toBe(1);
      expect(await page.getByTestId("environment-decisions").textContent()).toMatch(
        /^Metric: precision and recall \(chosen in step 2\) · Protocol: 5-fold/,
      );
      await step7.scrollIntoViewIfNeeded();
      await screenshot(page, "guided-decisions-step7-verdict");
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
