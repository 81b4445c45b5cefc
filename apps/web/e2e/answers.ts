import { answerSolutions } from "@stepwise/exercises/solutions";
import type { Page } from "playwright-core";

/** Fills a step 1–4 answer form with an exercise's correct answer set: radios by value, numbers and text by their field. */
export async function fillAnswers(page: Page, exerciseId: string): Promise<void> {
  const answers = answerSolutions[exerciseId]?.correct.answers;
  if (!answers) throw new Error(`no correct answers for ${exerciseId}`);
  for (const [id, value] of Object.entries(answers)) {
    const question = page.locator(`[data-question="${id}"]`);
    const radio = question.locator(`input[type="radio"][value="${String(value)}"]`);
    if ((await radio.count()) > 0) await radio.check();
    else await question.locator("input, textarea").fill(String(value));
  }
}
