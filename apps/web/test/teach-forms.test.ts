import { describe, expect, it } from "vitest";
import { fromUtcInput, pathErrors, utcInputValue } from "../src/app/teach/form-errors";
import { unsafePath } from "../src/server/services/course-zip";
import { folderSlug } from "../src/server/services/course-folder";

describe("instructor form helpers", () => {
  it("puts each `path: message` line of an error next to its field, the rest in general", () => {
    const error = {
      message:
        "overrides.budgets.maxEpochs: Too small: expected number to be >=1\nOverrides.dataset.file: expected a CSV file\nSomething else went wrong.",
    };
    expect(pathErrors(error)).toEqual({
      fields: { "overrides.budgets.maxEpochs": "Too small: expected number to be >=1", "overrides.dataset.file": "expected a CSV file" },
      general: "Something else went wrong.",
    });
    expect(pathErrors(null)).toEqual({ fields: {}, general: null });
  });

  it("reads and writes datetime-local values as UTC", () => {
    expect(utcInputValue(Date.UTC(2026, 2, 1, 23, 59))).toBe("2026-03-01T23:59");
    expect(fromUtcInput("2026-03-01T23:59")).toBe(Date.UTC(2026, 2, 1, 23, 59));
    expect(fromUtcInput("")).toBeNull();
    expect(utcInputValue(null)).toBe("");
  });

  it.each([
    ["course.yaml", null],
    ["demo/assignments/01-x.yaml", null],
    ["../x", /"\.\." segments/],
    ["a/./b", /"\.\." segments/],
    ["/abs", /absolute path/],
    ["C:/x", /absolute path/],
    ["a\\b", /backslash/],
    ["a\0b", /NUL/],
  ])("zip path %j is %s", (path, problem) => {
    const result = unsafePath(path);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toMatch(problem);
  });

  it("names export files after the course title", () => {
    expect(folderSlug("Deep learning workflow (demo)")).toBe("deep-learning-workflow-demo");
    expect(folderSlug("Ça va — ML 101!")).toBe("ca-va-ml-101");
    expect(folderSlug("***")).toBe("course");
  });
});
