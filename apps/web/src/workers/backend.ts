import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/** Where the app serves the wasm binaries (see server/wasm-files.ts); never a CDN. */
const WASM_PATH = "/tfjs-wasm/";

/** webgl if the browser gives the worker a GPU context, else wasm, else the plain JavaScript cpu backend. */
export async function chooseBackend(): Promise<string> {
  setWasmPaths(WASM_PATH);
  for (const name of ["webgl", "wasm", "cpu"]) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // Not available here (no OffscreenCanvas WebGL, wasm blocked…): try the next one.
    }
  }
  throw new Error("No TensorFlow.js backend could start in this browser (tried webgl, wasm and cpu).");
}
