import { describe, expect, it } from "vitest";
import { WASM_FILES, wasmResponse } from "../src/server/wasm-files";

describe("tfjs wasm files served by the app", () => {
  it.each(WASM_FILES)("serves %s as application/wasm with the WebAssembly magic", async (name) => {
    const res = wasmResponse(name);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/wasm");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
    expect(WebAssembly.validate(bytes)).toBe(true);
  });

  it.each(["../package.json", "tfjs-backend-wasm.js", "%2e%2e%2fpackage.json"])("refuses %s with 404", (name) => {
    expect(wasmResponse(name).status).toBe(404);
  });
});
