import { createPasswordReset, openDb } from "@stepwise/db";
import { describe, expect, it } from "vitest";
import { screenshot, signIn, useBrowserSession } from "./session";

describe("a student changes their password, sees their devices, and resets a forgotten password with a link", () => {
  const session = useBrowserSession();

  it("changes the password on /account, then signs in with the new one", async () => {
    const { page, platform, student } = session;
    await signIn(page, platform.url, student);
    await page.getByTestId("user-name").click();
    await page.getByRole("heading", { name: "Account" }).waitFor();
    await expect.poll(() => page.getByTestId("sessions").textContent()).toContain("(this device)");
    await page.getByLabel("Current password").fill(student.password);
    await page.getByLabel("New password", { exact: true }).fill("changed-in-browser");
    await page.getByLabel("New password again").fill("changed-in-browser");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed; every other device is signed out.").waitFor();
    await screenshot(page, "account");
    await page.getByRole("button", { name: "Sign out" }).first().click();
    await page.waitForURL(/\/(signin)?$/);
    await signIn(page, platform.url, { email: student.email, password: "changed-in-browser" });
  });

  it("sets a new password from a reset link the operator made", async () => {
    const { page, platform, student } = session;
    const db = await openDb(platform.databaseUrl);
    const reset = await createPasswordReset(db, { email: student.email, now: Date.now(), ttlMs: 3_600_000 }).finally(() => db.close());
    if (!reset) throw new Error(`no user ${student.email}`);
    await page.context().clearCookies();
    await page.goto(`${platform.url}/reset-password?token=${reset.token}`);
    await page.getByLabel("New password", { exact: true }).fill("reset-in-browser");
    await page.getByLabel("New password again").fill("reset-in-browser");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText(/Your password is changed/).waitFor();
    await signIn(page, platform.url, { email: student.email, password: "reset-in-browser" });
    expect(session.errors).toEqual([]);
  });
});
