import { describe, expect, it } from "vitest";
import { decodePreview, encodePreview } from "./preview-format";

describe("preview data format", () => {
  it("round-trips arrays of every width, aligned for typed-array views", () => {
    const data = {
      header: { dataset: "imdb" as const, n: 2, naturalShape: [], vocabularySize: 100 },
      arrays: { offsets: Uint32Array.from([0, 3, 5]), ids: Uint16Array.from([2, 7, 1, 9, 60000]), labels: Uint8Array.from([1, 0]) },
    };
    const bytes = encodePreview(data);
    expect(bytes.length % 4).toBe(0);
    const back = decodePreview(bytes.slice().buffer);
    expect(back.header).toEqual(data.header);
    expect(Array.from(back.arrays.ids ?? [])).toEqual([2, 7, 1, 9, 60000]);
    expect(Array.from(back.arrays.offsets ?? [])).toEqual([0, 3, 5]);
    expect(back.arrays.labels).toBeInstanceOf(Uint8Array);
  });

  it("round-trips a CSV preview: float32 rows and standardized targets, with the task, classes and target scale", () => {
    const inputs = Float32Array.from([0.5, -1.25, 3e-7, 1, Number.MAX_VALUE, -0]);
    const labels = Float32Array.from([-0.75, 1.5]);
    const header = {
      dataset: "csv" as const,
      n: 2,
      naturalShape: [3],
      task: "regression" as const,
      targetScale: { mean: 250_000, std: 80_000 },
      file: "data/houses.csv",
      encoding: "3 numeric columns (standardized)",
    };
    // An odd-length header pushes the arrays off a 4-byte boundary unless the encoder pads it.
    const bytes = encodePreview({ header: { ...header, file: "data/houses-1.csv" }, arrays: { inputs, labels } });
    const back = decodePreview(bytes.slice().buffer);
    expect(back.header).toEqual({ ...header, file: "data/houses-1.csv" });
    expect(back.arrays.inputs).toBeInstanceOf(Float32Array);
    expect(Array.from(back.arrays.inputs ?? [])).toEqual(Array.from(inputs));
    expect(Array.from(back.arrays.labels ?? [])).toEqual([-0.75, 1.5]);
    const classes = decodePreview(
      encodePreview({
        header: { dataset: "csv", n: 3, naturalShape: [1], task: "multiclass", classes: ["a", "b", "c"] },
        arrays: { inputs: new Float32Array(3), labels: Uint32Array.from([2, 0, 1]) },
      }).slice().buffer,
    );
    expect(classes.header.classes).toEqual(["a", "b", "c"]);
    expect(Array.from(classes.arrays.labels ?? [])).toEqual([2, 0, 1]);
  });

  it("rejects an array of an unknown dtype", () => {
    const bytes = encodePreview({ header: { dataset: "csv", n: 1, naturalShape: [1] }, arrays: { inputs: new Float32Array(1) } });
    const text = new TextDecoder().decode(bytes).replace('"float32"', '"float64"');
    expect(() => decodePreview(new TextEncoder().encode(text).slice().buffer)).toThrow(
      /dtype float64; expected one of uint8, uint16, uint32, float32/,
    );
  });

  it.each([
    ["an HTML error page", new TextEncoder().encode("<html>oops</html>"), /start with SWPV/],
    [
      "a truncated body",
      encodePreview({ header: { dataset: "mnist", n: 1, naturalShape: [28, 28, 1] }, arrays: { pixels: new Uint8Array(784) } }).slice(
        0,
        400,
      ),
      /needs 784 bytes/,
    ],
  ])("rejects %s with a clear message", (_case, bytes, message) => {
    expect(() => decodePreview(bytes.slice().buffer)).toThrow(message);
  });
});
