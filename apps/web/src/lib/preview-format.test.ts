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

  it.each([
    ["an HTML error page", new TextEncoder().encode("<html>oops</html>"), /start with SWPV/],
    ["a truncated body", encodePreview({ header: { dataset: "mnist", n: 1, naturalShape: [28, 28, 1] }, arrays: { pixels: new Uint8Array(784) } }).slice(0, 400), /needs 784 bytes/],
  ])("rejects %s with a clear message", (_case, bytes, message) => {
    expect(() => decodePreview(bytes.slice().buffer)).toThrow(message);
  });
});
