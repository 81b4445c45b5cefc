import { describe, expect, it } from "vitest";
import { safeReturnPath, signInHref } from "./return-to";

describe("safeReturnPath", () => {
  it.each([
    ["/courses/c1/assignments/a1", "/courses/c1/assignments/a1"],
    ["/courses/c1?tab=2#editor", "/courses/c1?tab=2#editor"],
    ["/teach/../courses", "/courses"],
  ])("keeps the same-origin path %s", (raw, expected) => {
    expect(safeReturnPath(raw)).toBe(expected);
  });

  it.each([
    ["an absolute URL", "https://evil.example/x"],
    ["a protocol-relative URL", "//evil.example/x"],
    ["a backslash read as a slash", "/\\evil.example"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["a relative path", "courses"],
    ["a tab inside the scheme", "/\t/evil.example"],
    ["the sign-in page itself", "/signin?next=/courses"],
    ["an API route", "/api/trpc/auth.me"],
    ["nothing", ""],
    ["null", null],
  ])("refuses %s", (_what, raw) => {
    expect(safeReturnPath(raw)).toBeNull();
  });

  it("builds the sign-in link with the path encoded, or the plain page for an unsafe one", () => {
    expect(signInHref("/courses/c1?x=1&y=2")).toBe("/signin?next=%2Fcourses%2Fc1%3Fx%3D1%26y%3D2");
    expect(signInHref("//evil.example")).toBe("/signin");
  });
});
