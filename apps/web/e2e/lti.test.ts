import { CLAIM } from "@stepwise/lti";
import { ROLE, TestPlatform } from "@stepwise/lti/testing";
import { join } from "node:path";
import type { JSONWebKeySet } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { artifacts, openTaughtCourse, screenshot, useBrowserSession } from "./session";

const STEP5 = "Step 5 — beat the baseline on MNIST";

/**
 * The LMS side is the in-repo test platform (real keys, signed id_tokens), serving a page that frames
 * Stepwise like an LMS course page does. The browser addresses Stepwise as `localhost` and the LMS as
 * `127.0.0.1`: two sites, so the frame is third-party and gets none of Stepwise's cookies.
 */
describe("an instructor registers an LMS; launches inside the LMS's iframe hand over to a signed-in window", () => {
  const session = useBrowserSession();
  let lms: TestPlatform | undefined;
  afterAll(() => lms?.stop());

  it("registers the LMS from the course page, deep-links an assignment, and a student's framed launch opens it signed in", async () => {
    const { page, platform, browser, errors } = session;
    const tool = platform.url.replace("127.0.0.1", "localhost");
    const started = await new TestPlatform({
      toolJwks: async () => (await (await fetch(`${platform.url}/api/lti/jwks`)).json()) as JSONWebKeySet,
    }).start();
    lms = started;
    const teacher = started.addUser({
      sub: "lms-teacher",
      name: "Ines Instructor",
      email: session.instructor.email,
      roles: [ROLE.instructor],
    });
    const sam = started.addUser({ sub: "lms-sam", name: "Sam From The LMS", email: "sam@lms.test", roles: [ROLE.learner] });
    try {
      await openTaughtCourse(page, tool, session.instructor);
      const section = page.getByRole("region", { name: "LMS (LTI 1.3)" });
      // Stepwise's values name the address this page was opened at.
      await expect.poll(() => section.getByLabel("OpenID Connect login initiation URL").inputValue()).toBe(`${tool}/api/lti/login`);
      expect(await section.getByLabel("Public keyset (JWKS) URL").inputValue()).toBe(`${tool}/api/lti/jwks`);
      expect(await section.getByLabel("Deep linking (content selection) URL").inputValue()).toBe(`${tool}/api/lti/launch`);
      const loginUrl = await section.getByLabel("OpenID Connect login initiation URL").inputValue();
      await expect.poll(() => section.getByText("You have registered no LMS yet.").count()).toBe(1);

      // The form, by keyboard: a bad URL and a missing deployment are named next to their fields.
      await section.locator("summary", { hasText: "Register an LMS" }).click();
      const form = page.getByRole("form", { name: "Register an LMS" });
      const reg = started.registration;
      await form.getByLabel("Issuer").fill(reg.issuer);
      await page.keyboard.press("Tab");
      await page.keyboard.type(reg.clientId);
      await form.getByLabel("OIDC auth URL").fill("lms auth page");
      await form.getByLabel("Token URL").fill(reg.tokenUrl);
      await form.getByLabel("JWKS URL").fill(reg.jwksUrl);
      await form.getByLabel("JWKS URL").press("Enter");
      await expect.poll(() => page.locator("#lti-auth-url-error").textContent()).toMatch(/OIDC auth URL must be a URL/);
      expect(await page.locator("#lti-deployments-error").textContent()).toMatch(/at least one deployment id/);
      expect(await form.getByLabel("OIDC auth URL").getAttribute("aria-invalid")).toBe("true");
      await form.getByLabel("Deployment ids").fill(reg.deploymentIds.join(", "));
      await form.getByLabel("OIDC auth URL").fill(reg.authUrl);
      await form.getByRole("button", { name: "Register LMS" }).click();
      const row = section.getByTestId("lti-platform-row");
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain(reg.issuer);
      expect(await row.textContent()).toContain(reg.clientId);
      expect(await page.locator("#lti-auth-url-error").count()).toBe(0);
      await section.screenshot({ path: join(artifacts, "lti-registration.png") }).catch(() => undefined);

      // Dynamic registration of the same LMS from a one-time link: the page's only script (allowed by its
      // hash) tells the framing LMS to close the dialog.
      await section.getByRole("button", { name: "Make a dynamic registration link" }).click();
      const link = await section.getByLabel("Dynamic registration URL").inputValue();
      expect(link).toMatch(new RegExp(`^${tool}/api/lti/register\\?token=`));
      await screenshot(page, "lti-course-settings");

      await page.goto(`${started.url}/embed?src=${encodeURIComponent(started.registrationInitiationUrl(link))}`);
      await page.frameLocator("#tool").getByRole("heading", { name: "Stepwise is registered" }).waitFor();
      await expect.poll(() => page.locator("#closed").textContent()).toBe("The tool asked to close.");
      expect(started.toolRegistrations).toHaveLength(1);

      // Deep linking inside the LMS's frame, with the registration just made: the LMS instructor is the
      // instructor who registered it, so the picker lists their course's assignments.
      await page.goto(
        `${started.url}/embed?src=${encodeURIComponent(started.loginInitiationUrl(loginUrl, teacher, { message: "LtiDeepLinkingRequest" }))}`,
      );
      const frame = page.frameLocator("#tool");
      await frame.getByRole("heading", { name: "Add a Stepwise assignment" }).waitFor();
      await frame.getByLabel(STEP5).first().check();
      await screenshot(page, "lti-deep-link-picker");
      await frame.getByRole("button", { name: "Add to the LMS course" }).click();
      await frame.getByRole("button", { name: "Return to the LMS" }).click();
      await frame.getByText("Content added.").waitFor();
      const [item] = (started.deepLinkResponses[0]?.[CLAIM.deepLinkingContentItems] ?? []) as Array<{
        custom: Record<string, string>;
        lineItem: { scoreMaximum: number; label: string; resourceId: string };
      }>;
      if (!item) throw new Error("the LMS received no content item");
      expect(item.lineItem).toMatchObject({ scoreMaximum: 100, label: STEP5 });
      const lineItem = started.addLineItem(item.lineItem);

      // A student, in a browser signed in to nothing: the framed launch hands over to a new window.
      await browser.clearCookies();
      await page.goto(
        `${started.url}/embed?src=${encodeURIComponent(started.loginInitiationUrl(loginUrl, sam, { custom: item.custom, lineItem, resourceLinkId: "link-e2e" }))}`,
      );
      const open = frame.getByRole("link", { name: "Open Stepwise in a new window" });
      await open.waitFor();
      expect(await frame.locator("body").textContent()).toContain("Signed in from your LMS as Sam From The LMS");
      await screenshot(page, "lti-iframe-launch");
      const [student] = await Promise.all([browser.waitForEvent("page"), open.click()]);
      await student.waitForURL(new RegExp(`^${tool}/courses/[0-9a-f-]{36}/assignments/${item.lineItem.resourceId}$`));
      await expect.poll(() => student.getByTestId("user-name").textContent()).toContain("Sam From The LMS");
      await student.getByRole("heading", { level: 1, name: STEP5 }).waitFor();
      await screenshot(student, "lti-student-window");
      // The hand-over is one-time: the frame's link, followed again, is refused.
      const again = await student.goto(
        await frame
          .locator("#open")
          .getAttribute("href")
          .then((h) => h ?? ""),
      );
      expect(again?.status()).toBe(400);
      expect(await student.locator("body").textContent()).toMatch(/already used or has expired/);
      // Stepwise's pages ran without console errors (the LMS's own page has no favicon).
      expect(errors.filter((e) => !e.includes(started.url) && !/status of 400/.test(e))).toEqual([]);
    } catch (error) {
      await screenshot(page, "lti-failure");
      console.error(platform.logs().slice(-5000));
      throw error;
    }
  });
});
