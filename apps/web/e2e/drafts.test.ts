import { readFileSync } from "node:fs";
import { join } from "node:path";
import { claimJob, completeJob, createAssignment, createSubmissionWithJob, draftFor, openDb, type Db } from "@stepwise/db";
import { sampleVerdict } from "@stepwise/db/testing";
import { getExercise } from "@stepwise/exercises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, signIn, studentAssignment, useBrowserSession, type BrowserSession } from "./session";

/**
 * The step page keeps the student's work: a draft survives a reload, the submission page shows what
 * was submitted, any past model loads back into the editor, step 6 opens on the model that passed
 * step 5, and an assignment's own title and baseline reach the student.
 */
const STEP5_CODE = `// my passing step-5 model
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [784], units: 32, activation: "relu" }));
model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
return model;
`;
const TYPED = `// typed in the browser
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [784], units: 24, activation: "relu" }));
model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
return model;
`;
const topology = JSON.parse(readFileSync(join(import.meta.dirname, "..", "test", "fixtures", "dense-784-32-10.json"), "utf8")) as Record<
  string,
  unknown
>;

/**
 * A passing step-5 submission of `who`, graded here. It is dated an hour ahead, so its job
 * only becomes runnable then: the session's grader, claiming with its own clock, cannot take it first.
 */
async function seedPassingStep5(db: Db, who: BrowserSession["student"]): Promise<void> {
  const at = Date.now() + 60 * 60_000;
  const { student, assignment } = await studentAssignment(db, who, "mnist-beat-baseline");
  const training = getExercise("mnist-beat-baseline").starterTraining;
  const payload = {
    exerciseId: assignment.exerciseId,
    model: { format: "tfjs" as const, topology },
    code: STEP5_CODE,
    ...(training ? { training } : {}),
  };
  const { job } = await createSubmissionWithJob(
    db,
    { assignmentId: assignment.id, userId: student.id, exerciseId: assignment.exerciseId, payload },
    at,
  );
  const claimed = await claimJob(db, { workerId: "e2e-seed", leaseMs: 60_000, now: at });
  if (claimed?.job.id !== job.id) throw new Error("the seeded job was not the one claimed");
  await completeJob(db, { jobId: job.id, workerId: "e2e-seed", verdict: sampleVerdict("passed", 1), now: at });
}

const editorText = (page: Page) => page.getByLabel("Model code").textContent();

/** Replaces the editor's code as typing would (inserted text, so CodeMirror adds no closing brackets). */
async function typeCode(page: Page, code: string): Promise<void> {
  await page.getByLabel("Model code").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(code);
}

async function waitSaved(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId("draft-status").textContent(), { timeout: 60_000 }).toBe("Saved");
}

describe("the step page keeps the student's work", () => {
  // The test's own submission stays ungraded: a grader polling every 10 minutes claims nothing after its first look.
  const session = useBrowserSession({ graderEnv: { GRADER_POLL_MS: "600000" } });

  it("keeps a draft across a reload, shows the submitted model, loads it back, opens step 6 on step 5's model, and shows the instructor's title and baseline", async () => {
    const { page, platform, errors: browserErrors } = session;
    const db = await openDb(platform.databaseUrl);
    try {
      await seedPassingStep5(db, session.student);
      const step5 = await studentAssignment(db, session.student, "mnist-beat-baseline");
      const step6 = await studentAssignment(db, session.student, "mnist-overfit");
      const custom = await createAssignment(
        db,
        {
          courseId: step5.course.id,
          exerciseId: "mnist-beat-baseline",
          title: "Week 5: beat 0.3",
          overrides: { baseline: 0.3 },
          deadline: null,
          attemptsAllowed: null,
          position: 99,
        },
        Date.now(),
      );
      const pageOf = (assignmentId: string) => `${platform.url}/courses/${step5.course.id}/assignments/${assignmentId}`;
      await signIn(page, platform.url, session.student);

      // Typing is saved a second after the last key, and a reload opens on it.
      await page.goto(pageOf(step5.assignment.id));
      await expect.poll(() => editorText(page)).toContain("tf.sequential()");
      await typeCode(page, TYPED);
      await page.getByRole("spinbutton", { name: "Epochs" }).fill("4");
      await waitSaved(page);
      await page.reload();
      await expect.poll(() => editorText(page)).toContain("// typed in the browser");
      expect(await page.getByRole("spinbutton", { name: "Epochs" }).inputValue()).toBe("4");
      await screenshot(page, "drafts-step5-reloaded");

      // Leaving the page before the quiet second is over still saves (a keepalive request on page hide).
      await typeCode(page, `// left at once\n${TYPED}`);
      await page.goto(`${platform.url}/courses`);
      await expect
        .poll(
          async () =>
            JSON.stringify((await draftFor(db, { userId: step5.student.id, assignmentId: step5.assignment.id }))?.content ?? null),
          { timeout: 60_000 },
        )
        .toContain("// left at once");
      await page.goto(pageOf(step5.assignment.id));
      await expect.poll(() => editorText(page)).toContain("// left at once");

      // Submitting it; its page shows the code as written and the settings.
      await page.getByRole("button", { name: "Submit" }).click();
      await page.getByTestId("job-status").waitFor({ timeout: 60_000 });
      const history = page.getByTestId("submission-list");
      await expect.poll(() => history.locator("tbody tr").count()).toBe(2);
      // The seeded step-5 submission is the passed one; the one just made is not.
      const mine = history.locator("tbody tr").filter({ hasNotText: "Passed" });
      await mine.getByRole("link").click();
      await page.waitForURL(/\/submissions\//);
      const submitted = page.getByTestId("submitted-model");
      await expect.poll(() => submitted.textContent()).toContain("// typed in the browser");
      expect(await page.getByTestId("submitted-training").textContent()).toMatch(/Epochs4/);
      await screenshot(page, "drafts-submission-page");

      // Reset to the starter, then load the submitted model back; the loaded model is the draft.
      await page.goto(pageOf(step5.assignment.id));
      await page.getByRole("button", { name: "Reset to starter" }).click();
      await page.getByRole("button", { name: "Yes, reset" }).click();
      await expect.poll(() => editorText(page)).not.toContain("// typed in the browser");
      await waitSaved(page);
      await history
        .locator("tbody tr")
        .filter({ hasNotText: "Passed" })
        .getByRole("button", { name: /^Load this model into the editor/ })
        .click();
      await expect.poll(() => editorText(page)).toContain("// typed in the browser");
      expect(await page.getByTestId("editor-origin").textContent()).toMatch(/^Loaded from your submission of /);
      await waitSaved(page);
      await page.reload();
      await expect.poll(() => editorText(page)).toContain("// typed in the browser");
      await screenshot(page, "drafts-step5-loaded");

      // Step 6 has no draft: it opens on the passing step-5 model, saying so.
      await page.goto(pageOf(step6.assignment.id));
      await expect.poll(() => editorText(page)).toContain("// my passing step-5 model");
      expect(await page.getByTestId("editor-origin").textContent()).toMatch(
        /^Starting from your passing step-5 model, submitted \d+ \w+ \d{4}/,
      );
      await screenshot(page, "drafts-step6-from-step5");

      // The instructor's title and baseline.
      await page.goto(pageOf(custom.id));
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Week 5: beat 0.3");
      expect(await page.getByTestId("baseline").textContent()).toContain("0.3");
      await screenshot(page, "drafts-overridden-assignment");
      expect(browserErrors).toEqual([]);
    } catch (error) {
      await screenshot(page, "drafts-failure");
      console.error(platform.logs().slice(-5000));
      throw error;
    } finally {
      await db.close();
    }
  });
});
