import { describe, expect, it } from "vitest";
import { ModelSpec } from "../contracts/model";
import { parseModelSpec } from "./parse";

const dense = (config: Record<string, unknown>) => ({
  class_name: "Sequential",
  config: { layers: [{ class_name: "Dense", config: { units: 4, batch_input_shape: [null, 784], ...config } }] },
});

describe("refusals say what was allowed and what came", () => {
  it.each<[string, unknown, RegExp]>([
    ["units over the limit", dense({ units: 1_000_000 }), /^Dense `units` must be ≤ 4096, got 1000000$/],
    ["units under it", dense({ units: 0 }), /^Dense `units` must be ≥ 1, got 0$/],
    ["a fractional unit count", dense({ units: 2.5 }), /^Dense `units` must be an integer in \[1, 4096\], got 2.5$/],
    [
      "too many layers",
      { class_name: "Sequential", config: { layers: Array.from({ length: 70 }, () => dense({}).config.layers[0]) } },
      /at most 64 layers, got 70$/,
    ],
    ["a topology string over the size limit", "x".repeat(300_000), /at most 262144 characters, got 300000$/],
    ["an object with too many values", dense({ junk: Array.from({ length: 120_000 }, () => 0) }), /at most 100000 values, got 12\d{4}$/],
  ])("%s", (_name, topology, message) => {
    expect(() => parseModelSpec({ format: "tfjs", topology: topology as Record<string, unknown> })).toThrow(message);
  });

  it("the submission contract gives the size of an oversized topology string", () => {
    const parsed = ModelSpec.safeParse({ format: "tfjs", topology: "x".repeat(300_000) });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe("the model topology must be at most 262144 characters, got 300000");
  });
});
