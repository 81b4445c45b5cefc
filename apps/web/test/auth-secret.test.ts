import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { persistedAuthSecret } from "../src/env";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stepwise-secret-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

it("generates the auth secret once, readable by the owner only, and keeps it across restarts", () => {
  const first = persistedAuthSecret(dir);
  expect(first.length).toBeGreaterThanOrEqual(32);
  expect(statSync(join(dir, "auth-secret")).mode & 0o777).toBe(0o600);
  expect(persistedAuthSecret(dir)).toBe(first);
  expect(readFileSync(join(dir, "auth-secret"), "utf8")).toBe(first);
  // No draft files are left behind.
  expect(readdirSync(dir)).toEqual(["auth-secret"]);
});

it("refuses a secret file too short to sign with, naming the file", () => {
  writeFileSync(join(dir, "auth-secret"), "short");
  expect(() => persistedAuthSecret(dir)).toThrow(/auth-secret must hold a secret of at least 32 characters, got 5/);
});
