import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubmissionPayload } from "@stepwise/core/contracts";
import { cancelJob, createSubmissionWithJob, openDb, userByEmail } from "@stepwise/db";
import { solutions } from "@stepwise/exercises/solutions";
import type { Platform } from "./platform";
import { artifacts, openSession, type BrowserSession } from "./session";

describe("a student submits an MNIST model in the browser and sees the grader's verdict", () => {
  let session: BrowserSession | undefined;
  let platform: Platform;
  let page: Page;

  beforeAll(async () => {
    session = await openSession();
    ({ platform, page } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it("signs in, opens step 5, submits the prefilled model and sees a passed verdict with curves", async () => {
    try {
      await page.goto(`${platform.url}/signin`);
      await page.getByLabel("Email").fill("student@stepwise.test");
      await page.getByLabel("Password").fill("stepwise-student");
      await page.getByRole("button", { name: "Sign in" }).click();

      await page
        .getByRole("link", { name: /Deep learning workflow/ })
        .first()
        .click();
      await page.getByRole("link", { name: "Step 5 — beat the baseline on MNIST" }).click();
      // CodeMirror: the labelled element is the editable content, so read its text rather than an input value.
      await expect.poll(() => page.getByLabel("Model code").textContent()).toContain("tf.sequential()");

      await page.getByRole("button", { name: "Submit" }).click();
      const status = page.getByTestId("job-status");
      await status.waitFor({ timeout: 60_000 });

      const verdict = page.getByTestId("verdict");
      await verdict.waitFor({ timeout: 240_000 });
      await expect.poll(() => verdict.getByRole("heading").first().textContent()).toMatch(/Passed/);
      const accuracy = await page.getByTestId("metric-testAccuracy").textContent();
      expect(Number(/0\.\d+/.exec(accuracy ?? "")?.[0])).toBeGreaterThan(0.5);
      // The learning-curve chart is drawn from the grader's epochs.
      expect(await page.locator(".recharts-line").count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(artifacts, "step5-verdict.png"), fullPage: true });
    } catch (error) {
      await page.screenshot({ path: join(artifacts, "step5-failure.png"), fullPage: true }).catch(() => undefined);
      console.error(platform.logs().slice(-5000));
      throw error;
    }
  });

  it("the submissions list shows a status change without a reload", async () => {
    const db = await openDb(platform.databaseUrl);
    try {
      const assignmentId = /assignments\/([^/?#]+)/.exec(page.url())?.[1] ?? "";
      const student = await userByEmail(db, "student@stepwise.test");
      if (!student) throw new Error("the demo student is missing");
      // A submission made elsewhere (another tab, the CLI) and held back from the grader, then cancelled:
      // a change no verdict announces, so only the list's own refresh can show it.
      const payload = solutions["mnist-beat-baseline"]?.reference as SubmissionPayload;
      const { job } = await createSubmissionWithJob(
        db,
        { assignmentId, userId: student.id, exerciseId: payload.exerciseId, payload },
        Date.now(),
      );
      await db.kysely
        .updateTable("jobs")
        .set({ run_after: Date.now() + 3_600_000 })
        .where("id", "=", job.id)
        .execute();
      await page.reload();
      const newest = page.getByTestId("submission-list").locator("tbody tr").first();
      await expect.poll(() => newest.textContent()).toMatch(/Queued/);

      await cancelJob(db, job.id, Date.now());
      await expect.poll(() => newest.textContent(), { timeout: 60_000 }).toMatch(/Cancelled/);
      await page.screenshot({ path: join(artifacts, "submission-list-live.png"), fullPage: true });
    } finally {
      await db.close();
    }
  });
});
