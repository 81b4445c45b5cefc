/** Which TF.js backend the preview worker tries first, from the WebGL renderer the browser reports. */

/**
 * WebGL renderers that draw on the CPU: SwiftShader (Chrome without a usable GPU), Mesa's llvmpipe and
 * softpipe (Linux without GPU drivers), Windows' Basic Render Driver. TF.js's webgl backend on them runs
 * its shaders on the CPU through a GL emulation, which costs more than the wasm backend doing the same
 * arithmetic directly (headless Chromium on SwiftShader, the MNIST preview of 6,000 examples × 3 epochs
 * and the pages around it: 37 CPU-s on webgl, 25 on wasm), so they count as no GPU.
 */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software rasterizer|basic render driver/i;

/** Whether a WebGL renderer string names a renderer that draws on the CPU. */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERERS.test(renderer);
}

/** The backends to try, best first: webgl on a GPU, else wasm, else the plain JavaScript cpu backend. */
export function backendOrder(renderer: string | null): string[] {
  return renderer !== null && !isSoftwareRenderer(renderer) ? ["webgl", "wasm", "cpu"] : ["wasm", "webgl", "cpu"];
}
