import { describe, expect, it } from "vitest";
import { ValidationError } from "../contracts/errors";
import { inspectCsv } from "./csv";

describe("inspectCsv (an upload, before a target is chosen)", () => {
  it("summarizes each column: kind, distinct and empty values", () => {
    const inspection = inspectCsv("age,city,label\n31,Oslo,yes\n42,,no\n27,Oslo,yes\n");
    expect(inspection).toEqual({
      header: ["age", "city", "label"],
      rows: 3,
      columns: [
        { name: "age", kind: "numeric", distinct: 3, empty: 0 },
        { name: "city", kind: "categorical", distinct: 2, empty: 1 },
        { name: "label", kind: "categorical", distinct: 2, empty: 0 },
      ],
    });
  });

  it.each([
    ["a stray word in a numeric column", "age,y\n1,0\n2,1\nabc,0\n4,1\n", 'line 4, column `age`: expected a number, got "abc"'],
    ["an empty value in a numeric column", "age,y\n1,0\n,1\n3,0\n", "line 3, column `age`: expected a number, got an empty value"],
    ["a row with too few fields", "a,b,c\n1,2,3\n4,5\n", "line 3: expected 3 fields as in the header, got 2"],
    ["a duplicate column", "a,a\n1,2\n", "column `a` appears twice"],
    ["a header only", "a,b\n", "no data rows"],
  ])("names the line and column of %s", (_case, text, message) => {
    expect(() => inspectCsv(text)).toThrow(ValidationError);
    expect(() => inspectCsv(text)).toThrow(message);
  });

  it.each([
    ["bytes", { maxBytes: 10 }, "at most 10 bytes, got 16"],
    ["rows", { maxRows: 1 }, "at most 1 data rows, got more (line 3)"],
    ["columns", { maxColumns: 1 }, "at most 1 columns, got 2"],
  ])("enforces the %s limit", (_what, limits, message) => {
    expect(() => inspectCsv("a,b\n1,2\n3,4\n5,6\n", limits)).toThrow(message);
  });
});
