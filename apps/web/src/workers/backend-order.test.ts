import { describe, expect, it } from "vitest";
import { backendOrder, isSoftwareRenderer } from "./backend-order";

// Renderer strings as browsers report them (WEBGL_debug_renderer_info), software and GPU.
const SOFTWARE = [
  "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
  "Google SwiftShader",
  "llvmpipe (LLVM 15.0.6, 256 bits)",
  "Mesa/X.org, llvmpipe (LLVM 15.0.6, 256 bits)",
  "softpipe",
  "ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)",
];
const GPU = [
  "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)",
  "ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)",
  "Apple M1",
  "AMD Radeon Pro 5500M OpenGL Engine",
];

describe("the preview's backend", () => {
  it("tells renderers that draw on the CPU from GPUs", () => {
    expect(SOFTWARE.filter((r) => !isSoftwareRenderer(r))).toEqual([]);
    expect(GPU.filter((r) => isSoftwareRenderer(r))).toEqual([]);
  });

  it("tries webgl first on a GPU, wasm first on a software renderer or without WebGL", () => {
    expect(backendOrder(GPU[0] ?? "")).toEqual(["webgl", "wasm", "cpu"]);
    // A browser that hides the renderer's name gives something generic: a GPU is the likelier case.
    expect(backendOrder("WebKit WebGL")).toEqual(["webgl", "wasm", "cpu"]);
    expect(backendOrder(SOFTWARE[0] ?? "")).toEqual(["wasm", "webgl", "cpu"]);
    expect(backendOrder(null)).toEqual(["wasm", "webgl", "cpu"]);
  });
});
