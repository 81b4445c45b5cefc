import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { backendOrder } from "./backend-order";

/** Where the app serves the wasm binaries (see server/wasm-files.ts); never a CDN. */
const WASM_PATH = "/tfjs-wasm/";

/** The renderer this worker's WebGL would draw with; null without WebGL. */
function webglRenderer(): string | null {
  try {
    const gl = new OffscreenCanvas(1, 1).getContext("webgl2") ?? new OffscreenCanvas(1, 1).getContext("webgl");
    if (!gl) return null;
    // Browsers that mask the renderer behind the extension still name it there; the others in RENDERER.
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return typeof renderer === "string" ? renderer : null;
  } catch {
    return null;
  }
}

/** The first backend of `backendOrder` that starts in this worker. */
export async function chooseBackend(): Promise<string> {
  setWasmPaths(WASM_PATH);
  const order = backendOrder(webglRenderer());
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch {
      // Not available here (no OffscreenCanvas WebGL, wasm blocked…): try the next one.
    }
  }
  throw new Error(`No TensorFlow.js backend could start in this browser (tried ${order.join(", ")}).`);
}
