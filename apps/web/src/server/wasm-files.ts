import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { findRepoRoot } from "../env";

/** The WebAssembly binaries of @tensorflow/tfjs-backend-wasm, served by the app itself (never a CDN). */
export const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"] as const;
export const WASM_PATH = "/tfjs-wasm/";

const cache = new Map<string, Uint8Array>();

function distDir(): string {
  // Resolved at run time (not by the bundler) from the web app's own dependencies.
  const { createRequire } = process.getBuiltinModule("node:module");
  const require = createRequire(join(findRepoRoot(), "apps", "web", "package.json"));
  return dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
}

/** One of the three known files, or null for any other name (no path is ever built from input). */
export function wasmFile(name: string): Uint8Array | null {
  const known = WASM_FILES.find((f) => f === name);
  if (!known) return null;
  let bytes = cache.get(known);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(join(distDir(), known)));
    cache.set(known, bytes);
  }
  return bytes;
}

export function wasmResponse(name: string): Response {
  const bytes = wasmFile(name);
  if (!bytes)
    return new Response(`No such file; expected one of ${WASM_FILES.join(", ")}.`, {
      status: 404,
      headers: { "content-type": "text/plain" },
    });
  return new Response(new Uint8Array(bytes), { headers: { "content-type": "application/wasm", "cache-control": "public, max-age=86400" } });
}
