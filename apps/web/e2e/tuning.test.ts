import type { SubmissionPayload } from "@stepwise/core/contracts";
import { cancelJob, createSubmissionWithJob, openDb } from "@stepwise/db";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations } from "./axe";
import { launchBrowser } from "./browser";
import { openSession, studentAssignment, screenshot, signIn, type BrowserSession } from "./session";

/**
 * A small step-7 model the search can vary in every dimension: Dense 784→16 (relu), Dropout 0.3,
 * Dense 10 (softmax), two epochs with a validation split — a few seconds per trial on the grader's slice.
 */
function smallStep7Payload(): SubmissionPayload {
  const dense = (units: number, activation: string, name: string, input?: number[]) => ({
    class_name: "Dense",
    config: { units, activation, use_bias: true, name, trainable: true, ...(input ? { batch_input_shape: [null, ...input] } : {}) },
  });
  const topology = {
    class_name: "Sequential",
    config: {
      name: "small",
      layers: [
        dense(16, "relu", "hidden", [784]),
        { class_name: "Dropout", config: { rate: 0.3, name: "drop", trainable: true } },
        dense(10, "softmax", "out"),
      ],
    },
  };
  return {
    exerciseId: "mnist-regularize",
    model: { format: "tfjs", topology },
    training: {
      compile: { optimizer: "rmsprop", learningRate: 0.001, loss: "categoricalCrossentropy", metrics: ["accuracy"] },
      fit: { epochs: 2, batchSize: 64, validationSplit: 0.2, shuffle: true },
    },
  };
}

const cellNumber = async (row: ReturnType<Page["locator"]>, column: number) =>
  Number((await row.locator("td").nth(column).textContent()) ?? "NaN");

describe("a student tunes the step-7 model: a tiny grid, every trial in a table and a chart, selected on validation", () => {
  let session: BrowserSession;
  /** Only for injecting axe-core; the test itself runs under the app's CSP. */
  let auditBrowser: BrowserContext;
  let stepPath = "";

  beforeAll(async () => {
    // The estimate shown before a search starts comes from the grader's measured speed.
    session = await openSession({ graderEnv: { GRADER_CALIBRATE: "on" } });
    auditBrowser = await launchBrowser({ bypassCSP: true });
    const db = await openDb(session.platform.databaseUrl);
    try {
      const { student, course, assignment } = await studentAssignment(db, session.student, "mnist-regularize");
      // The model to tune, as an earlier submission. Its grading is cancelled: this test is about the
      // search, and a cancelled grading used no test evaluation.
      const payload = smallStep7Payload();
      const { job } = await createSubmissionWithJob(
        db,
        { assignmentId: assignment.id, userId: student.id, exerciseId: payload.exerciseId, payload },
        Date.now(),
      );
      await cancelJob(db, job.id, Date.now());
      stepPath = `/courses/${course.id}/assignments/${assignment.id}`;
    } finally {
      await db.close();
    }
  });

  afterAll(async () => {
    await auditBrowser?.close();
    await session?.close();
  });

  it("declares a grid over the learning rate, watches it run and reads the selected trial and its one test score", async () => {
    const { platform, page, errors } = session;
    try {
      await signIn(page, platform.url, session.student);
      await page.goto(`${platform.url}${stepPath}`);
      const tune = page.getByRole("region", { name: "Tune", exact: true });
      await tune.waitFor();
      expect(await tune.textContent()).toMatch(/validation split only/);
      expect(await tune.getByTestId("tuning-test-evaluations").textContent()).toMatch(/Test evaluations used on this assignment: 0 of 3/);

      // The form starts around the student's own model: learning rate 0.001 and dropout 0.3.
      const rates = tune.getByLabel("Learning rate values");
      expect(await rates.inputValue()).toBe("0.000333, 0.001, 0.003");
      expect(await tune.getByLabel("Dropout rate values").inputValue()).toBe("0.2, 0.3, 0.4");
      await tune.getByRole("radio", { name: /Grid/ }).check();
      await tune.getByRole("checkbox", { name: "Search dropout rate" }).uncheck();
      await rates.fill("0.0003, 0.001, 0.003");
      expect(await tune.getByTestId("grid-size").textContent()).toMatch(/Grid: 3 combinations/);
      // The cost is shown before the search starts. Successive halving is on by default; two epochs leave it nothing to halve.
      expect(await tune.getByRole("checkbox", { name: /Successive halving/ }).isChecked()).toBe(true);
      await expect
        .poll(() => tune.getByTestId("tuning-estimate").textContent())
        .toMatch(/Estimated cost: about \d+ s of grader time \(4 trainings with the final model\); you have 600 s left\./);
      await tune.getByRole("button", { name: "Start search" }).click();

      // Live progress, then the result replaces it.
      await tune.getByTestId("tuning-progress").waitFor({ timeout: 60_000 });
      const final = tune.getByTestId("tuning-final");
      await final.waitFor({ timeout: 240_000 });
      await screenshot(page, "tuning");
      const line = (await final.textContent()) ?? "";
      expect(line).toMatch(
        /^Selected on validation: trial [123] \(learning rate 0\.00\d+\), validation accuracy 0\.\d{3} at epoch [12]; retrained on train\+validation for [12] epochs?; test accuracy 0\.\d{3} \(95% CI 0\.\d{3}–[01]\.\d{3}\) \(1 of your 3 test evaluations\)\.$/,
      );

      // Every trial in the table; the selected one is the best on validation, and the line names it.
      const table = tune.getByTestId("tuning-trials");
      expect(await table.locator("tbody tr").count()).toBe(3);
      const selected = table.getByTestId("tuning-trial-selected");
      expect(await selected.count()).toBe(1);
      // Columns: learning rate, validation accuracy, best epoch, gap, seconds, status.
      const best = await cellNumber(selected, 1);
      for (const row of await table.locator("tbody tr").all()) expect(await cellNumber(row, 1)).toBeLessThanOrEqual(best);
      const index = (await selected.locator("th").textContent()) ?? "";
      expect(line).toContain(`trial ${index} (learning rate ${await selected.locator("td").first().textContent()})`);
      expect(line).toContain(`validation accuracy ${best.toFixed(3)}`);

      // The chart: one point per scored trial on a log learning-rate axis, the selected one ringed.
      const chart = tune.getByTestId("tuning-chart");
      expect(await chart.getByRole("img", { name: "Validation accuracy against learning rate" }).count()).toBe(1);
      expect(await chart.textContent()).toMatch(/learning rate \(log scale\)/);
      expect(await chart.getByTestId("tuning-point").count()).toBe(2);
      expect(await chart.getByTestId("tuning-point-selected").count()).toBe(1);

      // The evaluation was counted, and the search was charged to the compute budget, not attempts.
      await expect.poll(() => tune.getByTestId("tuning-test-evaluations").textContent()).toMatch(/used on this assignment: 1 of 3/);
      expect(await tune.getByTestId("experiment-budget").textContent()).toMatch(/of 600 s grader time left/);
      // What it was estimated at beside what it was charged.
      expect(await tune.getByTestId("tuning-cost").first().textContent()).toMatch(
        /^Estimated \d+\.\d s before it started; charged \d+\.\d s of your budget \(\d+% of the estimate\)\.$/,
      );
      expect(errors).toEqual([]);

      // After a reload the search is still there, from the database.
      await page.reload();
      expect(await page.getByTestId("tuning-final").textContent()).toBe(line);

      const audit = await auditBrowser.newPage();
      await signIn(audit, platform.url, session.student);
      await audit.goto(`${platform.url}${stepPath}`);
      await audit.getByTestId("tuning-final").waitFor();
      expect(await seriousViolations(audit)).toEqual([]);
    } catch (error) {
      await screenshot(page, "tuning-failure");
      console.error(platform.logs().slice(-5000));
      throw error;
    }
  });
});
