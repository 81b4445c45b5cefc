import { describe, expect, it } from "vitest";
import { ValidationError } from "../contracts/errors";
import { csvRecords, parseCsv } from "./csv";
import { encodeCsv, fitCsvEncoder, prepareCsv } from "./csv-encode";
import { materialize } from "./sets";

const HOUSES = ["size,city,rooms,price", "50,Paris,2,300", '80,"Lyon",3,250.5', '120,"Saint-Denis, 93",4,400', "65,Lyon,2,1e2"].join(
  "\r\n",
);

describe("csvRecords", () => {
  it("handles quotes, doubled quotes, embedded commas and newlines, CRLF, BOM and blank lines", () => {
    const text = '\ufeffa,b\r\n"x ""y""","1,2"\n\n"multi\nline",z\n';
    expect([...csvRecords(text)]).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ['x "y"', "1,2"] },
      { line: 4, fields: ["multi\nline", "z"] },
    ]);
  });
});

describe("parseCsv", () => {
  it("infers numeric and categorical columns and parses a regression target", () => {
    const table = parseCsv(HOUSES, { target: "price", task: "regression" });
    expect(table.n).toBe(4);
    expect(table.features.map((f) => [f.name, f.kind])).toEqual([
      ["size", "numeric"],
      ["city", "categorical"],
      ["rooms", "numeric"],
    ]);
    expect([...table.labels]).toEqual([300, 250.5, 400, 100]);
    expect(table.features[1]?.strings).toEqual(["Paris", "Lyon", "Saint-Denis, 93", "Lyon"]);
  });

  it("maps class names to sorted indices (numerically when they are numbers)", () => {
    const named = parseCsv("x,label\n1,dog\n2,cat\n3,emu\n4,cat", { target: "label", task: "multiclass" });
    expect(named.classes).toEqual(["cat", "dog", "emu"]);
    expect([...named.labels]).toEqual([1, 0, 2, 0]);
    const numbered = parseCsv("x,label\n1,10\n2,9\n3,10", { target: "label", task: "binary" });
    expect(numbered.classes).toEqual(["9", "10"]);
    expect(numbered.labels).toBeInstanceOf(Int32Array);
  });

  it.each([
    ["an empty file", "", {}, "CSV is empty"],
    ["a header without rows", "a,y\n", {}, "no data rows"],
    ["a missing target column", "a,b\n1,2", { target: "price" }, "target column `price` not found; the header has: a, b"],
    ["a ragged row", "a,b\n1,2\n3\n", { target: "b" }, "line 3: expected 2 fields as in the header, got 1"],
    [
      "a text value in a numeric column",
      "age,y\n1,0\n2,1\n3,0\nabc,1",
      { target: "y" },
      'line 5, column `age`: expected a number, got "abc"',
    ],
    ["an empty numeric value", "age,y\n1,0\n,1\n3,0", { target: "y" }, "line 3, column `age`: expected a number, got an empty value"],
    ["hex in a forced numeric column", "age,y\n0x1f,0\n2,1", { target: "y", columnTypes: { age: "numeric" } }, 'got "0x1f"'],
    ["an unclosed quote", 'a,y\n"oops,1\n2,0', { target: "y" }, "line 2: quoted field is never closed"],
    [
      "text after a closing quote",
      'a,y\n"x"z,1',
      { target: "y" },
      'line 2: expected a comma or end of line after a closing quote, got "z"',
    ],
    ["a duplicate header", "a,a,y\n1,2,0", { target: "y" }, "column `a` appears twice"],
    ["an empty header name", "a,,y\n1,2,0", { target: "y" }, "column 2 has an empty name"],
    [
      "a non-numeric regression target",
      "a,y\n1,2\n2,x",
      { target: "y", task: "regression" },
      'line 3, column `y`: expected a number, got "x"',
    ],
    ["a binary target with 3 classes", "a,y\n1,a\n2,b\n3,c", { target: "y", task: "binary" }, "exactly 2 classes"],
    ["an empty class name", "a,y\n1,a\n2,\n3,b", { target: "y" }, "line 3, column `y`: expected a class name"],
    ["too many bytes", "a,y\n1,0\n2,1", { target: "y", maxBytes: 5 }, "at most 5 bytes, got 11"],
    ["too many rows", "a,y\n1,0\n2,1\n3,0", { target: "y", maxRows: 2 }, "at most 2 data rows, got more (line 4)"],
    ["too many columns", "a,b,c,y\n1,2,3,0", { target: "y", maxColumns: 3 }, "at most 3 columns, got 4"],
    ["an unknown forced column", "a,y\n1,0\n2,1", { target: "y", columnTypes: { b: "numeric" } }, "columnTypes names column `b`"],
  ] as const)("rejects %s", (_name, text, options, message) => {
    const parse = () => parseCsv(text, { target: "y", task: "binary", ...options });
    expect(parse).toThrow(ValidationError);
    expect(parse).toThrow(message);
  });
});

describe("encoding", () => {
  it("one-hot categories are fitted on training rows only; unseen categories encode as zeros", () => {
    const table = parseCsv(HOUSES, { target: "price", task: "regression" });
    const encoder = fitCsvEncoder(table, [0, 1, 3]);
    expect(encoder.featureNames).toEqual(["size", "city=Lyon", "city=Paris", "rooms"]);
    expect(encoder.categories.city).not.toContain("Saint-Denis, 93");
    const set = encodeCsv(table, encoder);
    expect([...materialize(set)]).toEqual([50, 0, 1, 2, 80, 1, 0, 3, 120, 0, 0, 4, 65, 1, 0, 2]);
    expect([...(set.labels ?? [])]).toEqual([300, 250.5, 400, 100]);
  });

  it("caps the number of one-hot categories", () => {
    const rows = Array.from({ length: 30 }, (_, i) => `id${i},${i % 2}`);
    const table = parseCsv(["id,y", ...rows].join("\n"), { target: "y", task: "binary" });
    expect(() =>
      fitCsvEncoder(
        table,
        Array.from({ length: 30 }, (_, i) => i),
        { maxCategories: 20 },
      ),
    ).toThrow("column `id` has 30 distinct values on training rows, at most 20");
  });

  it("prepareCsv splits by seed and reports facts", () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i},${i % 3 === 0 ? "red" : "blue"},${["a", "b", "c"][i % 3]}`);
    const text = ["x,color,y", ...rows].join("\n");
    const options = { target: "y", task: "multiclass" as const, seed: 4, validationFraction: 0.2, testFraction: 0.1 };
    const prepared = prepareCsv(text, options);
    expect([prepared.train.n, prepared.validation.n, prepared.test.n]).toEqual([70, 20, 10]);
    expect(prepared.facts).toMatchObject({ task: "multiclass", numClasses: 3, naturalShape: [3], trainSize: 70, testSize: 10 });
    expect(prepared.split).toEqual(prepareCsv(text, options).split);
    expect(materialize(prepared.test)).toEqual(materialize(prepareCsv(text, options).test));
  });
});
