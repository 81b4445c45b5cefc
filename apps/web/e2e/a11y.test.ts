import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "./axe";
import type { Platform } from "./platform";
import { artifacts, openSession, openTaughtCourse, type BrowserSession } from "./session";

describe("accessibility: every page passes axe-core with no violation of any impact", () => {
  let session: BrowserSession | undefined;
  let platform: Platform;
  let page: Page;
  let student: BrowserSession["student"];
  let instructor: BrowserSession["instructor"];

  beforeAll(async () => {
    // axe-core is injected into the pages: the only reason to bypass the app's CSP.
    session = await openSession({ bypassCSP: true });
    ({ platform, page, student, instructor } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  async function check(name: string) {
    await page.waitForLoadState("networkidle");
    const found = await axeViolations(page);
    if (found.length > 0) await page.screenshot({ path: join(artifacts, `a11y-${name}.png`), fullPage: true });
    expect(found, `${name} (${page.url()})`).toEqual([]);
  }

  it.each(["/", "/signin", "/signup"])("anonymous page %s", async (path) => {
    await page.goto(`${platform.url}${path}`);
    await check(path === "/" ? "home" : path.slice(1));
  });

  it("would catch a violation (control: an unlabelled input injected into /signin)", async () => {
    await page.goto(`${platform.url}/signin`);
    // After hydration, and outside React's tree, so a re-render cannot take the injected input away.
    await page.waitForLoadState("networkidle");
    await page.evaluate(() => document.body.append(Object.assign(document.createElement("input"), { type: "text", id: "a11y-control" })));
    await page.locator("#a11y-control").waitFor({ state: "attached" });
    expect((await axeViolations(page)).join("\n")).toMatch(/critical label:/);
  });

  it("signs in with the keyboard only", async () => {
    await page.goto(`${platform.url}/signin`);
    await page.keyboard.press("Tab"); // skip to the first control in the header…
    for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.getAttribute("name") === "email")); i++)
      await page.keyboard.press("Tab");
    await page.keyboard.type(student.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(student.password);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/courses$/);
  });

  it("signed-in pages: courses, a course, a training step, an answer step and a submission", async () => {
    await page.goto(`${platform.url}/courses`);
    await check("courses");
    await page
      .getByRole("link", { name: /Deep learning workflow/ })
      .first()
      .click();
    await page.waitForURL(/\/courses\/[^/]+$/);
    await check("course");
    const courseUrl = page.url();

    await page.getByRole("link", { name: "Step 5 — beat the baseline on MNIST" }).click();
    await page.getByLabel("Model code").waitFor();
    await check("training-step");

    await page.goto(courseUrl);
    const answerStep = page.getByRole("link", { name: /^Step 1/ }).first();
    if ((await answerStep.count()) > 0) {
      await answerStep.click();
      await page.getByRole("heading", { name: "Your answers" }).waitFor();
      await check("answer-step");
      // Keyboard: radio groups are reachable and operable without a mouse.
      await page.locator("fieldset.question input[type=radio]").first().focus();
      await page.keyboard.press("Space");
      expect(await page.locator("fieldset.question input[type=radio]:checked").count()).toBe(1);
    }

    await page.goto(courseUrl);
    await page.getByRole("link", { name: "Step 5 — beat the baseline on MNIST" }).click();
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByTestId("job-status").waitFor({ timeout: 60_000 });
    await page.getByTestId("submission-list").getByRole("link").first().click();
    await page.waitForURL(/\/submissions\//);
    await check("submission");
  });

  it("instructor pages: the gradebook (with the submission above in it) and the course's jobs page", async () => {
    await page.context().clearCookies();
    const courseId = await openTaughtCourse(page, platform.url, instructor);
    await page.goto(`${platform.url}/teach/${courseId}/gradebook`);
    await page.getByTestId("gradebook-row").first().waitFor();
    expect(await page.locator("[data-cell]").count()).toBeGreaterThan(0);
    await check("gradebook");
    await page.getByRole("link", { name: "Jobs", exact: true }).click();
    await page.getByRole("heading", { name: "Jobs", level: 1 }).waitFor();
    await check("jobs");
  });
});
